import { randomBytes } from 'node:crypto';

/**
 * One request's W3C trace and the time it spent upstream. Created when the request arrives, kept on
 * it, and handed explicitly to the identity client by the services: no AsyncLocalStorage, whose
 * promise hooks cost every promise of every request (measured at about a third of a cached read).
 */
export interface RequestTrace {
  readonly traceId: string;
  readonly flags: string;
  upstreamCalls: number;
  upstreamMs: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    trace: RequestTrace;
  }
}

// version 00: trace-id (32 hex, not all zero), parent-id (16 hex, not all zero), flags (2 hex).
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-([0-9a-f]{2})$/;

// Random ids from a pool refilled 8 KiB at a time: one randomBytes call per request showed in profiles.
const POOL_BYTES = 8192;
let pool = randomBytes(POOL_BYTES);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_BYTES) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += bytes;
  return pool.toString('hex', offset - bytes, offset);
}

/** The caller's `traceparent` when valid, else a new trace, so upstream logs line up with ours. */
export function traceOf(traceparent: string | string[] | undefined): RequestTrace {
  const sent = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  return { traceId: sent ? sent[1] : randomHex(16), flags: sent ? sent[2] : '01', upstreamCalls: 0, upstreamMs: 0 };
}

/** The `traceparent` of one outgoing call: the request's trace, a new span id. */
export function outgoingTraceparent(trace: RequestTrace): string {
  return `00-${trace.traceId}-${randomHex(8)}-${trace.flags}`;
}

/** Adds one upstream call to the request's totals, for its access log line. */
export function recordUpstreamCall(trace: RequestTrace, durationMs: number): void {
  trace.upstreamCalls++;
  trace.upstreamMs += durationMs;
}
