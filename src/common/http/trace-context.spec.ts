import { outgoingTraceparent, runInTraceContext } from './trace-context';

const inContext = (traceparent?: string) =>
  new Promise<string | undefined>((resolve) => runInTraceContext(traceparent ? { traceparent } : {}, () => setImmediate(() => resolve(outgoingTraceparent()))));
const FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('trace context', () => {
  it("continues the caller's trace with a new span id", async () => {
    const outgoing = await inContext('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
    const [, traceId, spanId, flags] = FORMAT.exec(outgoing ?? '') ?? [];
    expect({ traceId, flags }).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
    expect(spanId).not.toBe('00f067aa0ba902b7');
  });

  it.each([undefined, 'garbage', '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'])(
    'starts a new trace for %j',
    async (traceparent) => {
      const outgoing = await inContext(traceparent);
      expect(outgoing).toMatch(FORMAT);
      expect(outgoing).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    },
  );

  it('has none outside a request', () => {
    expect(outgoingTraceparent()).toBeUndefined();
  });
});
