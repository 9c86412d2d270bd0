import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** What one request carries through its async work: its trace, its route, its upstream calls. */
interface RequestContext {
  traceId: string;
  flags: string;
  route: string | undefined;
  upstreamCalls: number;
  upstreamMs: number;
}

// version 00: trace-id (32 hex, not all zero), parent-id (16 hex, not all zero), flags (2 hex).
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-([0-9a-f]{2})$/;
const storage = new AsyncLocalStorage<RequestContext>();
// By raw request too: the access log is written from a response event, outside the async context.
const byRawRequest = new WeakMap<IncomingMessage, RequestContext>();

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

/**
 * Runs the rest of the request in its context. W3C Trace Context: the caller's `traceparent` when
 * valid, else a new trace, so the identity client can pass it on and upstream logs line up with ours.
 */
export function runInRequestContext(request: IncomingMessage, route: string | undefined, next: () => void): void {
  const header = request.headers.traceparent;
  const sent = typeof header === 'string' ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  const context: RequestContext = {
    traceId: sent ? sent[1] : randomHex(16),
    flags: sent ? sent[2] : '01',
    route,
    upstreamCalls: 0,
    upstreamMs: 0,
  };
  byRawRequest.set(request, context);
  storage.run(context, next);
}

/** The `traceparent` of one outgoing call: this request's trace, a new span id. */
export function outgoingTraceparent(): string | undefined {
  const context = storage.getStore();
  return context && `00-${context.traceId}-${randomHex(8)}-${context.flags}`;
}

/** Adds one upstream call to the current request's totals. */
export function recordUpstreamCall(durationMs: number): void {
  const context = storage.getStore();
  if (!context) return;
  context.upstreamCalls++;
  context.upstreamMs += durationMs;
}

/** The fields the access log adds for a request: route template, trace, upstream time. */
export function accessLogFieldsOf(request: IncomingMessage): Record<string, unknown> {
  const context = byRawRequest.get(request);
  if (!context) return {};
  return {
    route: context.route ?? null,
    traceId: context.traceId,
    upstreamCalls: context.upstreamCalls,
    upstreamMs: Math.round(context.upstreamMs * 10) / 10,
  };
}
