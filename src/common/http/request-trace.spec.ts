import { EventEmitter } from 'node:events';
import { ClientGoneError, clientGoneSignal, outgoingTraceparent, recordUpstreamCall, timeLeftMs, traceOf } from './request-trace';

/** The part of a ServerResponse the trace watches. */
class FakeConnection extends EventEmitter {
  closed = false;
  writableFinished = false;
  close(answered: boolean): void {
    this.writableFinished = answered;
    this.closed = true;
    this.emit('close');
  }
}

const FORMAT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

describe('request trace', () => {
  it("continues the caller's trace with a new span id", () => {
    const outgoing = outgoingTraceparent(traceOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));
    const [, traceId, spanId, flags] = FORMAT.exec(outgoing) ?? [];
    expect({ traceId, flags }).toEqual({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', flags: '01' });
    expect(spanId).not.toBe('00f067aa0ba902b7');
  });

  it.each([undefined, 'garbage', ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'], '00-00000000000000000000000000000000-00f067aa0ba902b7-01', '01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'])(
    'starts a new trace for %j',
    (traceparent) => {
      const outgoing = outgoingTraceparent(traceOf(traceparent));
      expect(outgoing).toMatch(FORMAT);
      expect(outgoing).not.toContain('4bf92f3577b34da6a3ce929d0e0e4736');
    },
  );

  it('gives every request its own trace, and every call its own span', () => {
    const traces = Array.from({ length: 50 }, () => traceOf(undefined));
    expect(new Set(traces.map((trace) => trace.traceId)).size).toBe(50);
    const spans = Array.from({ length: 50 }, () => outgoingTraceparent(traces[0]).slice(36, 52));
    expect(new Set(spans).size).toBe(50);
  });

  it('adds up the upstream calls of a request for its access log line', () => {
    const trace = traceOf(undefined);
    recordUpstreamCall(trace, 12.34);
    recordUpstreamCall(trace, 5);
    expect(trace).toMatchObject({ upstreamCalls: 2, upstreamMs: 17.34 });
  });

  it('carries the request deadline, checked by arithmetic', () => {
    const trace = traceOf(undefined, { deadlineMs: 1_500 });
    expect(timeLeftMs(trace)).toBeGreaterThan(1_400);
    expect(timeLeftMs(trace)).toBeLessThanOrEqual(1_500);
    expect(timeLeftMs(traceOf(undefined))).toBeGreaterThan(9_000); // the contract's default, 10 s
  });

  it('aborts its upstream work when the client leaves before the answer, not after it', () => {
    const leaving = new FakeConnection();
    const trace = traceOf(undefined, { connection: leaving });
    expect(leaving.listenerCount('close')).toBe(0); // nothing watched until an upstream call
    const signal = clientGoneSignal(trace)!;
    expect(clientGoneSignal(trace)).toBe(signal);
    expect(leaving.listenerCount('close')).toBe(1);
    leaving.close(false);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(ClientGoneError);

    const answered = new FakeConnection();
    const done = clientGoneSignal(traceOf(undefined, { connection: answered }))!;
    answered.close(true);
    expect(done.aborted).toBe(false);
  });

  it('sees a client that left before the first upstream call', () => {
    const gone = new FakeConnection();
    gone.close(false);
    expect(clientGoneSignal(traceOf(undefined, { connection: gone }))!.aborted).toBe(true);
    expect(clientGoneSignal(traceOf(undefined))).toBeUndefined();
  });
});
