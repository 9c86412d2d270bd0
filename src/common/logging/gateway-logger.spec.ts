import { Writable } from 'node:stream';
import { createLoggers, GatewayLogger } from './gateway-logger';

function capture(level = 'trace') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString('utf8')) as Record<string, unknown>);
      done();
    },
  });
  const loggers = createLoggers(level, destination);
  return { lines, loggers, nest: new GatewayLogger(loggers.app) };
}
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('GatewayLogger (Nest on pino)', () => {
  it("takes Nest's (message, context)", async () => {
    const { lines, nest } = capture();
    nest.log('Nest application successfully started', 'NestApplication');
    await flush();
    expect(lines[0]).toMatchObject({ level: 30, context: 'NestApplication', msg: 'Nest application successfully started' });
  });

  it("takes the gateway's ({ fields }, message, context)", async () => {
    const { lines, nest } = capture();
    nest.warn({ requestId: 'req-1', status: 502 }, 'identity API failed', 'Errors');
    await flush();
    expect(lines[0]).toMatchObject({ level: 40, context: 'Errors', requestId: 'req-1', status: 502, msg: 'identity API failed' });
  });

  it("keeps the stack of Nest's exception handlers' (message, stack, context) as an error", async () => {
    const { lines, nest } = capture();
    nest.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    await flush();
    expect(lines[0]).toMatchObject({ level: 50, context: 'ExceptionsHandler', err: { message: 'boom', stack: expect.stringContaining('at somewhere') } });
  });

  it('maps verbose to trace and respects the level', async () => {
    const { lines, nest } = capture('debug');
    nest.verbose('not written', 'Somewhere');
    nest.debug('written', 'Somewhere');
    await flush();
    expect(lines.map((line) => line.msg)).toEqual(['written']);
  });

  it('redacts credentials in application logs', async () => {
    const { lines, nest } = capture();
    nest.log({ req: { headers: { authorization: 'Bearer secret-token' } }, vendor: { token: 'vendor-secret' } }, 'calling', 'Identity');
    await flush();
    expect(JSON.stringify(lines[0])).not.toMatch(/secret/);
  });
});
