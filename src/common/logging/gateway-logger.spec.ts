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
  const loggers = createLoggers(level, 'json', destination);
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

describe('LOG_FORMAT=pretty (local mode at a terminal)', () => {
  function captureReadable(level = 'info') {
    const text: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        text.push(chunk.toString('utf8'));
        done();
      },
    });
    const loggers = createLoggers(level, 'pretty', destination);
    return { text, loggers, nest: new GatewayLogger(loggers.app, true) };
  }

  it('writes one readable line per event, the context first and the other fields on the same line', async () => {
    const { text, nest } = captureReadable();
    nest.warn({ requestId: 'req-1', status: 502 }, 'identity API failed', 'Errors');
    await flush();
    expect(text.join('')).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] WARN: \[Errors\] identity API failed \{"requestId":"req-1","status":502\}\n$/);
  });

  it('writes an access line as method, path, status, time and who', async () => {
    const { text, loggers } = captureReadable();
    loggers.access.info({ req: { id: 'r1', method: 'GET', url: '/v1/me' }, res: { statusCode: 200 }, responseTime: 4.2, userId: 'u1', tenantId: 't1' }, 'GET /v1/me 200');
    await flush();
    expect(text.join('')).toMatch(/^\[[\d:.]+\] INFO: GET \/v1\/me 200 4\.2 ms u1@t1\n$/);
  });

  it('still redacts credentials', async () => {
    const { text, loggers } = captureReadable();
    loggers.app.info({ req: { headers: { authorization: 'Bearer secret-token' } }, session: { refreshToken: 'secret-token' } }, 'request');
    await flush();
    expect(text.join('')).not.toContain('secret-token');
    expect(text.join('')).toContain('[redacted]');
  });

  it("puts Nest's start-up chatter at debug, and nothing else", async () => {
    const { text, nest } = captureReadable('info');
    nest.log('AppModule dependencies initialized', 'InstanceLoader');
    nest.log('Mapped {/v1/me, GET} route', 'RouterExplorer');
    nest.log('Nest application successfully started', 'NestApplication');
    nest.log('signed in', 'Sessions');
    await flush();
    expect(text.join('')).toMatch(/^\[[\d:.]+\] INFO: \[Sessions\] signed in\n$/);
  });

  it('JSON logs keep the start-up chatter at info', async () => {
    const { lines, loggers } = capture('info');
    new GatewayLogger(loggers.app).log('Nest application successfully started', 'NestApplication');
    await flush();
    expect(lines).toHaveLength(1);
  });
});

