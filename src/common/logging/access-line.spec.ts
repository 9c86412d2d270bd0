import fc from 'fast-check';
import pino from 'pino';
import { Writable } from 'node:stream';
import { accessLineWriter, type AccessLine } from './access-line';

/** A destination that keeps each write as the string written, before any UTF-8 encoding. */
function capture(): { destination: Writable; written: string[] } {
  const written: string[] = [];
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  return { destination, written };
}

const byPino = capture();
const byWriter = capture();
const pinoLogger = pino({ level: 'info' }, byPino.destination);
const writeAccessLine = accessLineWriter(byWriter.destination);

/** The same line written by pino, as registerAccessLog wrote it before (`info(fields, msg)`), and by accessLineWriter. */
function bothWays(line: AccessLine): { pinoLine: string; ours: string } {
  byPino.written.length = 0;
  byWriter.written.length = 0;
  const { msg, ...fields } = line;
  pinoLogger.info(fields, msg);
  writeAccessLine(line);
  expect(byPino.written).toHaveLength(1);
  expect(byWriter.written).toHaveLength(1);
  return { pinoLine: byPino.written[0], ours: byWriter.written[0] };
}

const signedIn: AccessLine = {
  req: { id: 'req-1', method: 'GET', url: '/v1/me' },
  res: { statusCode: 200 },
  responseTime: 4.2,
  userId: 'user-alice',
  tenantId: 'tenant-acme',
  route: '/v1/me',
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  upstreamCalls: 2,
  upstreamMs: 12.8,
  msg: 'GET /v1/me 200',
};

/** A string with a lone (unpaired) surrogate: pino writes those unescaped in short top-level strings. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('accessLineWriter', () => {
  beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(1_760_000_000_123));
  afterEach(() => jest.restoreAllMocks());

  it("writes pino's line: level, time, pid, hostname, the fields in order, msg last", () => {
    const { pinoLine, ours } = bothWays(signedIn);
    expect(ours).toBe(pinoLine);
    expect(Object.keys(JSON.parse(ours))).toEqual(['level', 'time', 'pid', 'hostname', 'req', 'res', 'responseTime', 'userId', 'tenantId', 'route', 'traceId', 'upstreamCalls', 'upstreamMs', 'msg']);
    expect(ours).toMatch(/^\{"level":30,"time":1760000000123,"pid":\d+,"hostname":"[^"]*","req":\{"id":"req-1",/);
  });

  it('leaves out what is undefined and keeps a null route, as pino does', () => {
    const anonymous: AccessLine = { ...signedIn, userId: undefined, tenantId: undefined, traceId: undefined, route: null, res: { statusCode: 404 }, msg: 'GET /nope 404' };
    const { pinoLine, ours } = bothWays(anonymous);
    expect(ours).toBe(pinoLine);
    expect(ours).toContain('"responseTime":4.2,"route":null,"upstreamCalls":2,');
  });

  it('escapes as pino does: quotes, backslashes, control characters, non-ASCII, long strings', () => {
    const hostile = 'a"b\\c\u0000\u0001\u001f\u007f é 😀 \u2028\u2029 </script>';
    for (const text of [hostile, hostile.repeat(3), hostile.repeat(200), '"'.repeat(50), '\\'.repeat(150), `/v1/${'a'.repeat(512)}...`, '']) {
      const line: AccessLine = { req: { id: text, method: text, url: text }, res: { statusCode: 500 }, responseTime: 0, userId: text, tenantId: text, route: text, traceId: text, upstreamCalls: 0, upstreamMs: 0, msg: `GET ${text} 500` };
      const { pinoLine, ours } = bothWays(line);
      expect(ours).toBe(pinoLine);
      expect(JSON.parse(ours)).toMatchObject({ req: { url: text }, userId: text, msg: `GET ${text} 500` });
    }
  });

  it('writes numbers as pino does', () => {
    for (const [responseTime, upstreamMs, upstreamCalls] of [
      [0, 0, 0],
      [0.1, 1234.5, 7],
      [123456.7, 0.3, 1],
      [1e21, 5e-7, 2 ** 31],
    ]) {
      const { pinoLine, ours } = bothWays({ ...signedIn, responseTime, upstreamMs, upstreamCalls });
      expect(ours).toBe(pinoLine);
    }
  });

  it("escapes a lone surrogate, where pino's short top-level strings left it raw (UTF-8 then made it U+FFFD): the same value, kept", () => {
    const line: AccessLine = { ...signedIn, userId: 'u\ud800', tenantId: '\udc00t', msg: 'GET /v1/me\ud83d 200' };
    const { pinoLine, ours } = bothWays(line);
    expect(pinoLine).toContain('"userId":"u\ud800","tenantId":"\udc00t"');
    expect(ours).toContain('"userId":"u\\ud800","tenantId":"\\udc00t"');
    expect(JSON.parse(ours)).toEqual(JSON.parse(pinoLine));
    // Well-formed: what stdout receives parses back to the values written.
    expect(JSON.parse(Buffer.from(ours, 'utf8').toString('utf8'))).toMatchObject({ userId: 'u\ud800', tenantId: '\udc00t', msg: 'GET /v1/me\ud83d 200' });
  });

  it('agrees with pino on any strings (any UTF-16 code units) and any optional field left out', () => {
    const anyText = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 120 }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 60 }).map((units) => String.fromCharCode(...units)),
    );
    const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });
    const anyLine: fc.Arbitrary<AccessLine> = fc.record({
      req: fc.record({ id: anyText, method: anyText, url: anyText }),
      res: fc.record({ statusCode: fc.integer({ min: 100, max: 599 }) }),
      responseTime: fc.integer({ min: 0, max: 10_000_000 }).map((tenths) => tenths / 10),
      userId: maybe(anyText),
      tenantId: maybe(anyText),
      route: fc.option(anyText, { nil: null }),
      traceId: maybe(anyText),
      upstreamCalls: fc.nat(1000),
      upstreamMs: fc.integer({ min: 0, max: 10_000_000 }).map((tenths) => tenths / 10),
      msg: anyText,
    });
    fc.assert(
      fc.property(anyLine, (line) => {
        const { pinoLine, ours } = bothWays(line);
        expect(JSON.parse(ours)).toEqual(JSON.parse(pinoLine));
        if (!LONE_SURROGATE.test(pinoLine)) expect(ours).toBe(pinoLine);
        expect(Buffer.from(ours, 'utf8').toString('utf8')).toBe(ours);
      }),
      { numRuns: 1000 },
    );
  });

  it('writes one line per call to the destination it was given', () => {
    const { destination, written } = capture();
    const write = accessLineWriter(destination);
    write(signedIn);
    write(signedIn);
    expect(written).toHaveLength(2);
    expect(written.every((line) => line.endsWith('}\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
  });
});
