import { setTimeout as delay } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from './context';
import { faultBody, faultHeaders, hideIgnoredHeaders, streamOversizedBody } from './faults';
import { CONTROL_PREFIX, HARNESS_HEADER, type FaultSpec, type RecordedRequest } from './schemas/control.schemas';

/** The path as received: query string cut off, nothing decoded. */
export function rawPathOf(request: FastifyRequest): string {
  return (request.raw.url ?? request.url).split('?', 1)[0];
}

function isControlPath(path: string): boolean {
  return path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`);
}

function isHarnessRequest(request: FastifyRequest): boolean {
  return request.headers[HARNESS_HEADER] !== undefined;
}

async function applyFault(
  fault: FaultSpec,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply | void> {
  if (fault.latencyMs) await delay(fault.latencyMs);
  if (fault.dropConnection) {
    reply.hijack();
    request.raw.socket.destroy();
    return reply;
  }
  if (fault.oversizedBodyBytes !== undefined) {
    reply.hijack();
    streamOversizedBody(reply.raw, fault.status ?? 200, fault.oversizedBodyBytes);
    return reply;
  }
  reply.headers(faultHeaders(fault, new Date()));
  hideIgnoredHeaders(fault, request.headers);
  // Latency alone, or an ignored header: the request goes on to its route.
  if (fault.status === undefined) return;
  return reply.code(fault.status).send(faultBody(fault.status, fault.body));
}

/**
 * Every non-control request is recorded when it arrives (so the list keeps arrival
 * order), gets its body once parsed, and then meets the faults. Requests of the test
 * harness (HARNESS_HEADER) are left alone like controls. Faults act before
 * authentication and validation, as a failing network or proxy would.
 */
export function registerRecordingAndFaults(app: FastifyInstance, ctx: EmulatorContext): void {
  const entries = new WeakMap<FastifyRequest, RecordedRequest>();

  app.addHook('onRequest', async (request) => {
    const path = rawPathOf(request);
    if (isControlPath(path) || isHarnessRequest(request)) return;
    const entry = ctx.recorder.record({
      method: request.method,
      path,
      query: { ...(request.query as Record<string, unknown>) },
      headers: { ...request.headers },
      body: null,
      at: new Date().toISOString(),
    });
    entries.set(request, entry);
  });

  app.addHook('preValidation', async (request, reply) => {
    const entry = entries.get(request);
    if (!entry) return;
    entry.body = request.body ?? null;
    const fault = ctx.faults.take(request.method, entry.path);
    if (fault) return applyFault(fault, request, reply);
  });
}
