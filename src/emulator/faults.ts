import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { badRequest } from './errors';
import type { FaultSpec } from './schemas/control.schemas';

interface RegisteredFault {
  spec: FaultSpec;
  /** Uses left; undefined = until cleared. */
  remaining: number | undefined;
  /** Matching requests still to let through before acting. */
  toSkip: number;
}

/**
 * Rules the schema cannot say readably: a fault must change something, the reset header belongs
 * to a 429, and a request whose tenant header is ignored must still reach its route.
 */
export function assertUsableFault(spec: FaultSpec): void {
  if (spec.ignoreTenantHeader) {
    // Its whole point is what the route does without the header: the request must reach the route.
    if (spec.status !== undefined || spec.dropConnection) throw badRequest('ignoreTenantHeader cannot be combined with status or dropConnection');
    return;
  }
  if (spec.status === undefined && spec.latencyMs === undefined && !spec.dropConnection && spec.oversizedBodyBytes === undefined) {
    throw badRequest('A fault needs status, latencyMs, dropConnection or oversizedBodyBytes');
  }
  if (spec.rateLimitResetSeconds !== undefined && spec.status !== 429) {
    throw badRequest('rateLimitResetSeconds needs status 429');
  }
}

export function faultMatches(spec: FaultSpec, method: string, path: string): boolean {
  if (spec.method && spec.method.toUpperCase() !== method.toUpperCase()) return false;
  return spec.path.endsWith('*') ? path.startsWith(spec.path.slice(0, -1)) : path === spec.path;
}

/** Headers of a faulted answer; `X-Rate-Limit-Reset` is Frontegg's rate-limit header (an RFC 3339 time). */
export function faultHeaders(spec: FaultSpec, now: Date): Record<string, string> {
  const headers = { ...spec.headers };
  if (spec.rateLimitResetSeconds !== undefined) {
    headers['x-rate-limit-reset'] = new Date(now.getTime() + spec.rateLimitResetSeconds * 1000).toISOString();
  }
  return headers;
}

/** The given body, else a Frontegg-style error body for an error status, else nothing. */
export function faultBody(status: number, body: unknown): unknown {
  if (body !== undefined) return body;
  return status >= 400 ? { errors: [`Emulated fault: status ${status}`] } : undefined;
}

const PADDING_CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * `{"padding":"xxx…"}` of exactly `bytes` bytes, chunked (no Content-Length), written only as fast
 * as the client reads: the emulator never holds the answer, and stops when the client goes away.
 */
export function streamOversizedBody(response: ServerResponse, status: number, bytes: number): void {
  const head = '{"padding":"';
  const tail = '"}';
  let left = bytes - head.length - tail.length;
  response.writeHead(status, { 'content-type': 'application/json' });
  response.write(head);
  const pump = () => {
    while (left > 0 && !response.destroyed) {
      const chunk = left >= PADDING_CHUNK.length ? PADDING_CHUNK : PADDING_CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!response.write(chunk)) return void response.once('drain', pump);
    }
    if (!response.destroyed) response.end(tail);
  };
  pump();
}

export class FaultRegistry {
  private faults: RegisteredFault[] = [];

  add(spec: FaultSpec): string {
    assertUsableFault(spec);
    this.faults.push({ spec, remaining: spec.count, toSkip: spec.skip ?? 0 });
    return `fault-${randomUUID()}`;
  }

  /**
   * The newest fault matching the request, with one of its uses consumed. Newest first,
   * so a test can put a narrow fault over a broad one it injected before.
   */
  take(method: string, path: string): FaultSpec | undefined {
    const fault = this.faults.findLast((candidate) => faultMatches(candidate.spec, method, path));
    if (!fault) return undefined;
    if (fault.toSkip > 0) {
      fault.toSkip--;
      return undefined;
    }
    if (fault.remaining !== undefined && --fault.remaining === 0) {
      this.faults = this.faults.filter((candidate) => candidate !== fault);
    }
    return fault.spec;
  }

  clear(): void {
    this.faults = [];
  }
}

/** Hides from the route what the fault makes the upstream ignore; the recorded copy keeps what was sent. */
export function hideIgnoredHeaders(spec: FaultSpec, headers: Record<string, unknown>): void {
  if (spec.ignoreTenantHeader) delete headers['frontegg-tenant-id'];
}
