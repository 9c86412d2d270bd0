import Fastify, { type FastifyInstance } from 'fastify';
import { connect } from 'node:net';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { attachPrincipal } from '../../auth/principal';
import { requestIdOf } from '../http/request-id';
import { recordUpstreamCall, traceOf } from '../http/request-trace';
import { loggedUrl, registerAccessLog } from './access-log';
import { createLoggers } from './gateway-logger';

describe('loggedUrl', () => {
  it('keeps the path and drops the query string, where a token may hide', () => {
    expect(loggedUrl('/v1/roles')).toBe('/v1/roles');
    expect(loggedUrl('/v1/roles?access_token=eyJ.x.y')).toBe('/v1/roles?[redacted]');
    expect(loggedUrl('/v1/me#frag')).toBe('/v1/me?[redacted]');
    expect(loggedUrl(undefined)).toBe('');
  });

  it('shortens attack-sized paths', () => {
    expect(loggedUrl(`/v1/${'a'.repeat(10_000)}`)).toHaveLength(515);
  });
});

/** What a verified token may carry as ids: anything a JSON string can hold, a lone surrogate included. */
const HOSTILE_USER = 'u"\\\u0000\u001f\u007f é 😀 \u2028';
const HOSTILE_TENANT = 't\ud800x';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

/**
 * A Fastify app with the access log as the gateway registers it (request ids from X-Request-Id, a
 * trace per request), and routes that attach a principal and count upstream calls as the gateway's do.
 */
async function gatewayLike(level: string, format: 'json' | 'pretty'): Promise<{ app: FastifyInstance; port: number; written: string[]; loggers: ReturnType<typeof createLoggers> }> {
  const written: string[] = [];
  // decodeStrings: false keeps each line as the string written, before any UTF-8 encoding.
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      written.push(String(chunk));
      done();
    },
  });
  const loggers = createLoggers(level, format, destination);
  const app = Fastify({ genReqId: requestIdOf });
  app.addHook('onRequest', (request, _reply, done) => {
    request.trace = traceOf(request.headers.traceparent);
    done();
  });
  registerAccessLog(app, loggers);
  app.get('/v1/me', async (request) => {
    attachPrincipal(request, { userId: 'user-alice', tenantId: 'tenant-acme', tenantIds: ['tenant-acme'], type: 'userToken' });
    recordUpstreamCall(request.trace, 12.25);
    recordUpstreamCall(request.trace, 0.5);
    return {};
  });
  app.get('/v1/roles/:roleId', async () => ({}));
  app.delete('/v1/hostile', async (request, reply) => {
    attachPrincipal(request, { userId: HOSTILE_USER, tenantId: HOSTILE_TENANT, tenantIds: [HOSTILE_TENANT], type: 'userApiToken' });
    return reply.code(204).send();
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as { port: number }).port, written, loggers };
}

/** One request as raw bytes over a socket: Node's HTTP parser, not a test client, decides what reaches request.url. */
function send(port: number, method: string, target: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    const socket = connect(port, '127.0.0.1', () => socket.end(`${method} ${target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n${head.join('')}\r\n`, 'latin1'));
    let answer = '';
    socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
    socket.on('end', () => resolve(Number(answer.split(' ')[1])));
    socket.on('error', reject);
  });
}

/** The line with its two varying numbers replaced, after checking they are what they should be. */
function steady(line: string, startedAt: number): string {
  const { time, responseTime } = JSON.parse(line) as { time: number; responseTime: number };
  expect(time).toBeGreaterThanOrEqual(startedAt);
  expect(time).toBeLessThanOrEqual(Date.now());
  expect(Math.round(responseTime * 10) / 10).toBe(responseTime);
  return line.replace(`"time":${time},`, '"time":<time>,').replace(`"responseTime":${responseTime},`, '"responseTime":<ms>,');
}

describe('the JSON access line (LOG_FORMAT=json)', () => {
  const start = `{"level":30,"time":<time>,"pid":${process.pid},"hostname":${JSON.stringify(hostname())},`;
  let gateway: Awaited<ReturnType<typeof gatewayLike>>;
  afterEach(() => gateway?.app.close());

  it('is the line pino wrote: same fields, same order, same escapes', async () => {
    gateway = await gatewayLike('info', 'json');
    const startedAt = Date.now();
    expect(await send(gateway.port, 'GET', '/v1/me', { 'x-request-id': 'req-me', traceparent: TRACEPARENT })).toBe(200);
    expect(await send(gateway.port, 'GET', '/v1/roles/a"b\\c{"x":1}', { 'x-request-id': 'req-quotes' })).toBe(200);
    expect(await send(gateway.port, 'GET', '/v1/roles/r1?access_token=eyJ.secret.x#frag', { 'x-request-id': 'req-query' })).toBe(200);
    expect(await send(gateway.port, 'GET', `/nope/${'a'.repeat(600)}`, { 'x-request-id': 'req-long' })).toBe(404);
    const long = `/nope/${'a'.repeat(506)}...`;
    expect(gateway.written.map((line) => steady(line, startedAt))).toEqual([
      `${start}"req":{"id":"req-me","method":"GET","url":"/v1/me"},"res":{"statusCode":200},"responseTime":<ms>,"userId":"user-alice","tenantId":"tenant-acme","route":"/v1/me","traceId":"4bf92f3577b34da6a3ce929d0e0e4736","upstreamCalls":2,"upstreamMs":12.8,"msg":"GET /v1/me 200"}\n`,
      `${start}"req":{"id":"req-quotes","method":"GET","url":"/v1/roles/a\\"b\\\\c{\\"x\\":1}"},"res":{"statusCode":200},"responseTime":<ms>,"route":"/v1/roles/:roleId","traceId":${JSON.stringify(JSON.parse(gateway.written[1]).traceId)},"upstreamCalls":0,"upstreamMs":0,"msg":"GET /v1/roles/a\\"b\\\\c{\\"x\\":1} 200"}\n`,
      `${start}"req":{"id":"req-query","method":"GET","url":"/v1/roles/r1?[redacted]"},"res":{"statusCode":200},"responseTime":<ms>,"route":"/v1/roles/:roleId","traceId":${JSON.stringify(JSON.parse(gateway.written[2]).traceId)},"upstreamCalls":0,"upstreamMs":0,"msg":"GET /v1/roles/r1?[redacted] 200"}\n`,
      `${start}"req":{"id":"req-long","method":"GET","url":"${long}"},"res":{"statusCode":404},"responseTime":<ms>,"route":null,"traceId":${JSON.stringify(JSON.parse(gateway.written[3]).traceId)},"upstreamCalls":0,"upstreamMs":0,"msg":"GET ${long} 404"}\n`,
    ]);
    for (const line of gateway.written.slice(1)) expect(JSON.parse(line).traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('keeps ids with quotes, backslashes, control characters, non-ASCII and lone surrogates as they were', async () => {
    gateway = await gatewayLike('info', 'json');
    expect(await send(gateway.port, 'DELETE', '/v1/hostile', { 'x-request-id': 'req-hostile' })).toBe(204);
    expect(gateway.written).toHaveLength(1);
    const [line] = gateway.written;
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f]/); // one line, control characters escaped
    expect(JSON.parse(line)).toMatchObject({
      req: { id: 'req-hostile', method: 'DELETE', url: '/v1/hostile' },
      res: { statusCode: 204 },
      userId: HOSTILE_USER,
      tenantId: HOSTILE_TENANT,
      route: '/v1/hostile',
      msg: 'DELETE /v1/hostile 204',
    });
  });

  it('is written to the destination the loggers were given, in order with the other lines', async () => {
    gateway = await gatewayLike('info', 'json');
    gateway.loggers.app.info('before');
    await send(gateway.port, 'GET', '/v1/me', { 'x-request-id': 'req-me' });
    gateway.loggers.app.info('after');
    expect(gateway.written.map((line) => JSON.parse(line).msg)).toEqual(['before', 'GET /v1/me 200', 'after']);
  });

  it('is not written below LOG_LEVEL=info', async () => {
    gateway = await gatewayLike('warn', 'json');
    expect(await send(gateway.port, 'GET', '/v1/me')).toBe(200);
    expect(gateway.written).toEqual([]);
  });
});

describe('the readable access line (LOG_FORMAT=pretty)', () => {
  let gateway: Awaited<ReturnType<typeof gatewayLike>>;
  afterEach(() => gateway?.app.close());

  it('is still pino-pretty: method, path, status, time and who', async () => {
    gateway = await gatewayLike('info', 'pretty');
    await send(gateway.port, 'GET', '/v1/me');
    expect(gateway.written.join('')).toMatch(/^\[[\d:.]+\] INFO: GET \/v1\/me 200 [\d.]+ ms user-alice@tenant-acme\n$/);
  });
});
