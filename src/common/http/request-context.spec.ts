import type { IncomingMessage } from 'node:http';
import { accessLogFieldsOf, outgoingTraceparent, recordUpstreamCall, runInRequestContext } from './request-context';

const requestWith = (traceparent?: string) => ({ headers: traceparent ? { traceparent } : {} }) as IncomingMessage;
const inContext = <T>(request: IncomingMessage, work: () => T) =>
  new Promise<T>((resolve) => runInRequestContext(request, '/v1/roles', () => setImmediate(() => resolve(work()))));
const FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('request context', () => {
  it("continues the caller's trace with a new span id", async () => {
    const outgoing = await inContext(requestWith('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), outgoingTraceparent);
    const [, traceId, spanId, flags] = FORMAT.exec(outgoing ?? '') ?? [];
    expect({ traceId, flags }).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
    expect(spanId).not.toBe('00f067aa0ba902b7');
  });

  it.each([undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'])(
    'starts a new trace for %j',
    async (traceparent) => {
      const outgoing = await inContext(requestWith(traceparent), outgoingTraceparent);
      expect(outgoing).toMatch(FORMAT);
      expect(outgoing).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    },
  );

  it('gives every request its own trace and span ids', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, () => inContext(requestWith(), outgoingTraceparent)));
    expect(new Set(ids.map((id) => id?.slice(3, 35))).size).toBe(50);
  });

  it('adds up the upstream calls of a request for its access log line', async () => {
    const request = requestWith();
    await inContext(request, () => {
      recordUpstreamCall(12.34);
      recordUpstreamCall(5);
    });
    expect(accessLogFieldsOf(request)).toEqual({ route: '/v1/roles', traceId: expect.stringMatching(/^[0-9a-f]{32}$/), upstreamCalls: 2, upstreamMs: 17.3 });
  });

  it('has nothing outside a request', () => {
    expect(outgoingTraceparent()).toBeUndefined();
    expect(() => recordUpstreamCall(1)).not.toThrow();
    expect(accessLogFieldsOf(requestWith())).toEqual({});
  });
});
