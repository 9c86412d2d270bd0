import { HttpService } from '@nestjs/axios';
import axios, { AxiosError, AxiosHeaders, type AxiosInstance, type CreateAxiosDefaults } from 'axios';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { UndiciTransport, type UpstreamExchange } from './undici-adapter';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real HTTP server on 127.0.0.1 that records what it receives and counts TCP connections. */
interface Upstream {
  url: string;
  received: Received[];
  sockets: Socket[];
}

const servers: Server[] = [];

async function upstream(handler: Handler): Promise<Upstream> {
  const state: Upstream = { url: '', received: [], sockets: [] };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      state.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket: Socket) => state.sockets.push(socket));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Never answers (until afterEach closes the connections). */
const stall: Handler = () => undefined;

async function rejection(promise: Promise<unknown>): Promise<AxiosError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the request to fail');
    },
    (reason: unknown) => reason,
  );
  expect(axios.isAxiosError(error)).toBe(true);
  return error as AxiosError;
}

describe('UndiciTransport', () => {
  let transport: UndiciTransport;
  const client = (baseURL: string, defaults: CreateAxiosDefaults = {}): AxiosInstance =>
    axios.create({ adapter: transport.adapter, baseURL, ...defaults });

  beforeEach(() => {
    transport = new UndiciTransport();
  });

  afterEach(async () => {
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      server.close();
    }
    await transport.close();
  });

  it('answers parsed JSON, with status, status text and AxiosHeaders', async () => {
    const server = await upstream((_req, res) => json(res, 200, { id: 'u1', roles: ['admin'] }, { 'x-request-id': 'r-1' }));

    const response = await client(server.url).request({ method: 'GET', url: '/users/u1' });

    expect(response.data).toEqual({ id: 'u1', roles: ['admin'] });
    expect(response.status).toBe(200);
    expect(response.statusText).toBe('OK');
    expect(response.headers).toBeInstanceOf(AxiosHeaders);
    expect(response.headers['x-request-id']).toBe('r-1');
    expect(response.request).toEqual({ method: 'GET', url: `${server.url}/users/u1` });
    expect(server.received[0]).toMatchObject({ method: 'GET', url: '/users/u1' });
  });

  it('joins baseURL and url like axios, an absolute url winning', async () => {
    const server = await upstream((_req, res) => json(res, 200, {}));

    await client(`${server.url}/api/`).get('/users');
    await client(`${server.url}/api`).get('roles');
    await client(`${server.url}/api`).get('');
    await client('http://127.0.0.1:1/elsewhere').get(`${server.url}/absolute`);

    expect(server.received.map((request) => request.url)).toEqual(['/api/users', '/api/roles', '/api', '/absolute']);
  });

  it('appends plain params to the query and refuses others', async () => {
    const server = await upstream((_req, res) => json(res, 200, {}));
    const http = client(server.url);

    await http.get('/search?z=1', { params: { a: 1, b: 'x y', skipped: undefined, c: true } });
    await http.get('/search', { params: new URLSearchParams({ q: 'é' }) });
    const error = await rejection(http.get('/search', { params: { nested: { a: 1 } } }));

    expect(server.received.map((request) => request.url)).toEqual(['/search?z=1&a=1&b=x+y&c=true', '/search?q=%C3%A9']);
    expect(error.code).toBe(AxiosError.ERR_NOT_SUPPORT);
  });

  it('sends a JSON body byte-exact with the caller headers and the instance defaults', async () => {
    const server = await upstream((_req, res) => json(res, 200, { ok: true }));
    const http = client(server.url, { headers: { accept: 'application/json', 'user-agent': 'frontegg-identity-gateway' } });
    const body = { name: 'Zoë Ångström', phoneNumber: '+972 50 000 0000', metadata: '{"a":1}' };

    const response = await http.request({
      method: 'PUT',
      url: '/users/u1',
      data: body,
      headers: { authorization: 'Bearer vendor-1', 'content-type': 'application/json', 'frontegg-tenant-id': 't1' },
    });

    expect(response.data).toEqual({ ok: true });
    const [received] = server.received;
    const expected = Buffer.from(JSON.stringify(body), 'utf8');
    expect(received.method).toBe('PUT');
    expect(received.body.equals(expected)).toBe(true);
    expect(received.headers).toMatchObject({
      authorization: 'Bearer vendor-1',
      'content-type': 'application/json',
      'content-length': String(expected.length),
      accept: 'application/json',
      'user-agent': 'frontegg-identity-gateway',
      'frontegg-tenant-id': 't1',
    });
  });

  it('sends a bodiless POST without a content type when it is set to false', async () => {
    const server = await upstream((_req, res) => res.writeHead(204).end());

    const response = await client(server.url).request({ method: 'POST', url: '/mfa/unenroll', headers: { 'content-type': false } });

    expect(response.status).toBe(204);
    expect(response.data).toBe('');
    const [received] = server.received;
    expect(received.method).toBe('POST');
    expect(received.headers).not.toHaveProperty('content-type');
    expect(received.body).toHaveLength(0);
  });

  it.each([404, 500])('resolves a %i when validateStatus accepts every status', async (status) => {
    const server = await upstream((_req, res) => json(res, status, { errors: ['nope'] }));

    const response = await client(server.url, { validateStatus: () => true }).get('/users/u1');

    expect(response.status).toBe(status);
    expect(response.data).toEqual({ errors: ['nope'] });
  });

  it.each([
    [500, AxiosError.ERR_BAD_RESPONSE],
    [404, AxiosError.ERR_BAD_REQUEST],
  ])('rejects a %i with the default validateStatus, carrying the parsed response', async (status, code) => {
    const server = await upstream((_req, res) => json(res, status, { message: 'failed' }));

    const error = await rejection(client(server.url).get('/users/u1'));

    expect(error.code).toBe(code);
    expect(error.message).toBe(`Request failed with status code ${status}`);
    expect(error.response?.status).toBe(status);
    expect(error.response?.data).toEqual({ message: 'failed' });
  });

  it('returns a redirect instead of following it', async () => {
    const server = await upstream((req, res) =>
      req.url === '/from' ? res.writeHead(302, { location: '/to' }).end() : json(res, 200, { followed: true }),
    );

    const response = await client(server.url, { validateStatus: () => true }).get('/from');

    expect(response.status).toBe(302);
    expect(response.headers.location).toBe('/to');
    expect(server.received.map((request) => request.url)).toEqual(['/from']);
  });

  it('times out with ECONNABORTED when no answer comes', async () => {
    const server = await upstream(stall);
    const startedAt = Date.now();

    const error = await rejection(client(server.url, { timeout: 200 }).get('/slow'));

    const elapsed = Date.now() - startedAt;
    expect(error.code).toBe(AxiosError.ECONNABORTED);
    expect(error.message).toBe('timeout of 200ms exceeded');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('times out while the body is still arriving', async () => {
    const server = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
    });

    const error = await rejection(client(server.url, { timeout: 200 }).get('/slow-body'));

    expect(error.code).toBe(AxiosError.ECONNABORTED);
  });

  it('rejects with ECONNREFUSED when nothing listens', async () => {
    const closed = await upstream(stall);
    const server = servers.pop();
    server?.close();
    if (server) await once(server, 'close');

    const error = await rejection(client(closed.url).get('/users/u1'));

    expect(error.code).toBe('ECONNREFUSED');
    expect(error.cause).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with a transport code when the server drops the connection mid-answer', async () => {
    const server = await upstream((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.socket?.destroy(), 20);
    });

    const error = await rejection(client(server.url).get('/users/u1'));

    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(error.code);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('cancels through an AbortSignal', async () => {
    const server = await upstream(stall);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await rejection(client(server.url).get('/slow', { signal: controller.signal }));

    expect(error.code).toBe(AxiosError.ERR_CANCELED);
    expect(axios.isCancel(error)).toBe(true);
  });

  it('cancels through a CancelToken (what HttpService observables use)', async () => {
    const server = await upstream(stall);
    const source = axios.CancelToken.source();
    setTimeout(() => source.cancel('unsubscribed'), 50);

    const error = await rejection(client(server.url).get('/slow', { cancelToken: source.token }));

    expect(error.code).toBe(AxiosError.ERR_CANCELED);
    expect(error.message).toBe('unsubscribed');
  });

  it("works behind HttpService's observables, which put a CancelToken on every call", async () => {
    const server = await upstream((_req, res) => json(res, 200, { token: 'vendor-1' }));
    const http = new HttpService(client(server.url));

    const response = await firstValueFrom(http.post('/auth/vendor', { clientId: 'c' }));

    expect(response.data).toEqual({ token: 'vendor-1' });
    expect(server.received[0].body.toString()).toBe('{"clientId":"c"}');
  });

  it('refuses a body larger than maxContentLength and keeps serving', async () => {
    const server = await upstream((_req, res) => json(res, 200, { blob: 'x'.repeat(10_000) }));
    const size = JSON.stringify({ blob: 'x'.repeat(10_000) }).length;
    const http = client(server.url);

    const error = await rejection(http.get('/big', { maxContentLength: 1_000 }));
    const exact = await http.get('/big', { maxContentLength: size });

    expect(error.code).toBe(AxiosError.ERR_BAD_RESPONSE);
    expect(error.message).toBe('maxContentLength size of 1000 exceeded');
    expect(exact.data.blob).toHaveLength(10_000);
  });

  it('refuses an answer whose Content-Length is over maxContentLength before reading its body', async () => {
    let written = 0;
    let finished = false;
    const server = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(50 * 1024 * 1024) });
      // Sends slowly: a client that read the body would wait for all of it.
      const timer = setInterval(() => {
        written += 1024;
        res.write(Buffer.alloc(1024, 'x'));
      }, 10);
      res.once('close', () => {
        clearInterval(timer);
        finished = res.writableFinished;
      });
    });

    const startedAt = performance.now();
    const error = await rejection(client(server.url).get('/big', { maxContentLength: 1_000_000 }));

    expect(error.message).toBe('maxContentLength size of 1000000 exceeded');
    expect(performance.now() - startedAt).toBeLessThan(1_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(finished).toBe(false); // the connection was closed on the upstream, mid-answer
    expect(written).toBeLessThan(100_000);
  });

  it('stops reading a chunked answer once it passes maxContentLength, closing the connection', async () => {
    let closedEarly = false;
    const server = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      let left = 800; // 50 MiB, with back-pressure
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          left--;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.once('close', () => (closedEarly = !res.writableFinished));
      pump();
    });

    const error = await rejection(client(server.url).get('/big', { maxContentLength: 1_000_000 }));

    expect(error.message).toBe('maxContentLength size of 1000000 exceeded');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closedEarly).toBe(true);
  });

  // With pipelining 1, undici waits one event-loop turn before reusing a socket that just answered
  // (some servers close despite keep-alive); a request sent within that turn gets a second connection.
  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await upstream((req, res) => json(res, 200, { url: req.url }));
    const http = client(server.url);

    for (let i = 0; i < 20; i++) {
      expect((await http.get(`/n/${i}`)).data).toEqual({ url: `/n/${i}` });
      await new Promise((resolve) => setImmediate(resolve));
    }

    expect(server.sockets).toHaveLength(1);
  });

  it('reuses at most two connections for back-to-back sequential requests', async () => {
    const server = await upstream((req, res) => json(res, 200, { url: req.url }));
    const http = client(server.url);

    for (let i = 0; i < 20; i++) await http.get(`/n/${i}`);

    expect(server.received).toHaveLength(20);
    expect(server.sockets.length).toBeLessThanOrEqual(2);
  });

  it('serves 50 concurrent requests', async () => {
    const server = await upstream((req, res) => setTimeout(() => json(res, 200, { url: req.url }), 10));
    const http = client(server.url);

    const responses = await Promise.all(Array.from({ length: 50 }, (_, i) => http.get(`/n/${i}`)));

    expect(responses.map((response) => response.data.url)).toEqual(Array.from({ length: 50 }, (_, i) => `/n/${i}`));
    expect(server.sockets.length).toBeLessThanOrEqual(50);
  });

  it('close() closes the pooled connections and refuses further requests', async () => {
    const server = await upstream((_req, res) => json(res, 200, {}));
    const http = client(server.url);
    await http.get('/warm');
    const [socket] = server.sockets;
    const socketClosed = once(socket, 'close');

    await expect(transport.close()).resolves.toBeUndefined();
    await socketClosed;

    const error = await rejection(http.get('/after'));
    expect(error.code).toMatch(/^UND_ERR_(CLOSED|DESTROYED)$/);
  });

  describe('exchange (the identity client\'s calls, without axios)', () => {
    const call = (url: string, more: Partial<UpstreamExchange> = {}): UpstreamExchange => ({
      method: 'GET',
      origin: url,
      path: '/p?q=1',
      headers: { accept: 'application/json' },
      timeoutMs: 5_000,
      maxContentLength: -1,
      ...more,
    });

    it('sends exactly the given method, path, headers and body, and answers status, headers and parsed JSON', async () => {
      const server = await upstream((_req, res) => json(res, 201, { id: 'u1' }, { 'x-extra': 'yes' }));

      const answer = await transport.exchange(
        call(server.url, { method: 'PUT', headers: { authorization: 'Bearer t', 'content-type': 'application/json' }, body: '{"name":"é"}' }),
      );

      expect(answer).toEqual({ status: 201, headers: expect.objectContaining({ 'x-extra': 'yes' }), data: { id: 'u1' } });
      const [received] = server.received;
      expect(received).toMatchObject({ method: 'PUT', url: '/p?q=1' });
      expect(received.headers).toMatchObject({ authorization: 'Bearer t', 'content-type': 'application/json', 'content-length': '13' });
      expect(received.body.toString()).toBe('{"name":"é"}');
    });

    it('answers a body that is not JSON as its text, and an empty one as an empty string, as axios does', async () => {
      const server = await upstream((req, res) => (req.url === '/empty' ? res.writeHead(204).end() : res.writeHead(502).end('<html>bad gateway</html>')));

      expect((await transport.exchange(call(server.url, { path: '/html' }))).data).toBe('<html>bad gateway</html>');
      expect(await transport.exchange(call(server.url, { path: '/empty' }))).toMatchObject({ status: 204, data: '' });
    });

    it('times out with ECONNABORTED, the code upstream-errors reads as a timeout', async () => {
      const server = await upstream(stall);

      const error = await rejection(transport.exchange(call(server.url, { timeoutMs: 50 })));

      expect(error.code).toBe(AxiosError.ECONNABORTED);
    });

    it('is cancelled by its signal, before or during the call', async () => {
      const server = await upstream(stall);
      const controller = new AbortController();
      const pending = transport.exchange(call(server.url, { signal: controller.signal }));
      await new Promise((resolve) => setTimeout(resolve, 20));
      controller.abort();

      expect(axios.isCancel(await pending.catch((error: unknown) => error))).toBe(true);
      expect(axios.isCancel(await transport.exchange(call(server.url, { signal: controller.signal })).catch((error: unknown) => error))).toBe(true);
    });

    it('refuses answers over maxContentLength, announced or chunked, with axios\'s wording, and reads one of exactly that size', async () => {
      const blob = JSON.stringify({ blob: 'x'.repeat(10_000) });
      const server = await upstream((req, res) => {
        if (req.url === '/chunked') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write(blob.slice(0, 5_000));
          res.end(blob.slice(5_000));
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(blob.length) }).end(blob);
        }
      });

      const announced = await rejection(transport.exchange(call(server.url, { path: '/announced', maxContentLength: 1_000 })));
      const chunked = await rejection(transport.exchange(call(server.url, { path: '/chunked', maxContentLength: 1_000 })));
      const exact = await transport.exchange(call(server.url, { path: '/chunked', maxContentLength: blob.length }));

      expect([announced.code, announced.message]).toEqual([AxiosError.ERR_BAD_RESPONSE, 'maxContentLength size of 1000 exceeded']);
      expect([chunked.code, chunked.message]).toEqual([AxiosError.ERR_BAD_RESPONSE, 'maxContentLength size of 1000 exceeded']);
      expect((exact.data as { blob: string }).blob).toHaveLength(10_000);
    });

    it('rejects with the socket\'s code when nothing listens', async () => {
      const server = await upstream(stall);
      const url = server.url;
      for (const s of servers.splice(0)) s.close();
      await new Promise((resolve) => setTimeout(resolve, 20));

      const error = await rejection(transport.exchange(call(url)));

      expect(error.code).toBe('ECONNREFUSED');
    });
  });
});
