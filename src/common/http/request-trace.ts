import { randomBytes } from 'node:crypto';

/**
 * One request's W3C trace, the time it spent upstream, and its upstream budget. Created when the
 * request arrives, kept on it, and handed explicitly to the identity client by the services: no
 * AsyncLocalStorage, whose promise hooks cost every promise of every request (measured at about a
 * third of a cached read).
 */
export interface RequestTrace {
  readonly traceId: string;
  readonly flags: string;
  upstreamCalls: number;
  upstreamMs: number;
  /**
   * `performance.now()` past which no upstream work is started or awaited for this request
   * (REQUEST_DEADLINE_MS from its arrival). Checked by arithmetic: no timer per request.
   */
  readonly deadlineAt: number;
  /** The answer's side of the connection, watched only once an upstream call is made. */
  readonly connection?: ClientConnection;
  /** Aborted when the client goes away before its answer is sent; made on the first upstream call. */
  clientGone?: AbortController;
}

/** What the trace needs of the answer to see its client go away: Node's ServerResponse fits. */
export interface ClientConnection {
  /** True once the connection is closed (after the answer, or because the client left). */
  readonly closed: boolean;
  readonly writableFinished: boolean;
  once(event: 'close', listener: () => void): unknown;
}

/** Used when no REQUEST_DEADLINE_MS is given (the contract's default). */
export const DEFAULT_REQUEST_DEADLINE_MS = 10_000;

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

export interface TraceOptions {
  deadlineMs?: number;
  connection?: ClientConnection;
}

/** The caller's `traceparent` when valid, else a new trace, so upstream logs line up with ours. */
export function traceOf(traceparent: string | string[] | undefined, { deadlineMs = DEFAULT_REQUEST_DEADLINE_MS, connection }: TraceOptions = {}): RequestTrace {
  const sent = typeof traceparent === 'string' ? TRACEPARENT.exec(traceparent.trim().toLowerCase()) : null;
  return {
    traceId: sent ? sent[1] : randomHex(16),
    flags: sent ? sent[2] : '01',
    upstreamCalls: 0,
    upstreamMs: 0,
    deadlineAt: performance.now() + deadlineMs,
    connection,
  };
}

/** Milliseconds left of the request's upstream budget (zero or less: spent). */
export function timeLeftMs(trace: Pick<RequestTrace, 'deadlineAt'>): number {
  return trace.deadlineAt - performance.now();
}

/**
 * A signal aborted when the request's client goes away before its answer was sent, so upstream
 * work made for it stops. One 'close' listener per request, added on its first upstream call only.
 */
export function clientGoneSignal(trace: RequestTrace): AbortSignal | undefined {
  const connection = trace.connection;
  if (!connection) return undefined;
  if (!trace.clientGone) {
    const controller = new AbortController();
    trace.clientGone = controller;
    const abortUnlessAnswered = () => {
      if (!connection.writableFinished) controller.abort(new ClientGoneError());
    };
    if (connection.closed) abortUnlessAnswered();
    else connection.once('close', abortUnlessAnswered);
  }
  return trace.clientGone.signal;
}

/** nginx's "client closed request": the status of work given up because its client left (only logs see it). */
export const CLIENT_CLOSED_REQUEST = 499;

/** The reason of a clientGoneSignal: the client closed its connection before the answer. */
export class ClientGoneError extends Error {
  constructor() {
    super('the client closed the connection before its answer');
  }
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
