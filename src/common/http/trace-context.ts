import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

interface TraceContext {
  traceId: string;
  flags: string;
}

// version 00: trace-id (32 hex, not all zero), parent-id (16 hex, not all zero), flags (2 hex).
const TRACEPARENT = /^00-(?!0{32})([0-9a-f]{32})-(?!0{16})[0-9a-f]{16}-([0-9a-f]{2})$/;
const storage = new AsyncLocalStorage<TraceContext>();

/**
 * W3C Trace Context: each request runs in its trace (the caller's `traceparent` when valid, else a
 * new one), so the identity client can pass it on and upstream logs line up with ours.
 */
export function runInTraceContext(headers: IncomingHttpHeaders, next: () => void): void {
  const sent = typeof headers.traceparent === 'string' ? TRACEPARENT.exec(headers.traceparent.trim().toLowerCase()) : null;
  const context = sent ? { traceId: sent[1], flags: sent[2] } : { traceId: randomBytes(16).toString('hex'), flags: '01' };
  storage.run(context, next);
}

/** The `traceparent` of one outgoing call: this request's trace, a new span id. */
export function outgoingTraceparent(): string | undefined {
  const context = storage.getStore();
  return context && `00-${context.traceId}-${randomBytes(8).toString('hex')}-${context.flags}`;
}
