import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { EmulatorControlClient, startEmulator, TENANT_ACME, USER_ALICE, type RunningEmulator } from '../src/emulator';
import { expectProblem } from './support/assertions';
import { startGatewayOn, type TestGateway } from './support/gateway';
import { startGatewayProcess, type GatewayProcess } from './operations/support';

const USER_PATH = `/identity/resources/vendor-only/users/v1/${USER_ALICE}`;
const UPDATE_PATH = `/identity/resources/users/v1/${USER_ALICE}`;
const ROLES_PATH = '/identity/resources/roles/v1';
const VENDOR_AUTH = '/auth/vendor';
const MiB = 1024 * 1024;

// Timing tests wait out real timeouts; the oversized answers move 500 MB over loopback.
jest.setTimeout(60_000);

interface SeenRequest {
  method: string;
  path: string;
  /** The connection closed before this request was answered: the gateway gave up on it. */
  abandoned: boolean;
  /** performance.now() when it arrived and, if abandoned, when the gateway went away. */
  arrivedAt: number;
  abandonedAt?: number;
  /** Body bytes written before the answer finished or the connection closed. */
  bytesSent: number;
}

type Answer = (request: IncomingMessage, response: ServerResponse, seen: SeenRequest) => void;

/**
 * A stand-in identity API on node:http, so a test sees what the gateway really did on the wire:
 * how many attempts it made, and whether it went away before an answer came (a cancelled read).
 * The emulator still signs the users' tokens and serves the JWKS.
 */
class FakeIdentityApi {
  readonly seen: SeenRequest[] = [];
  /** Everything but POST /auth/vendor; silent by default. */
  answer: Answer = () => undefined;
  /** POST /auth/vendor: a token at once by default. */
  vendorAuth: Answer = answerVendorToken;
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const seen: SeenRequest = { method: request.method ?? '', path: (request.url ?? '').split('?')[0], abandoned: false, arrivedAt: performance.now(), bytesSent: 0 };
      this.seen.push(seen);
      response.once('close', () => {
        if (response.writableFinished) return;
        seen.abandoned = true;
        seen.abandonedAt = performance.now();
      });
      request.resume();
      (seen.path === VENDOR_AUTH ? this.vendorAuth : this.answer)(request, response, seen);
    });
  }

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  calls(method: string, path: string): SeenRequest[] {
    return this.seen.filter((seen) => seen.method === method && seen.path === path);
  }

  reset(): void {
    this.seen.length = 0;
    this.answer = () => undefined;
    this.vendorAuth = answerVendorToken;
    this.server.closeAllConnections();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

function answerVendorToken(_request: IncomingMessage, response: ServerResponse): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: 'vendor-token', expiresIn: 3600 }));
}

function answerJson(body: unknown): Answer {
  return (_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A valid JSON answer of `bytes` bytes, streamed with back-pressure; with Content-Length or chunked. */
function answerOversized(bytes: number, { announceLength }: { announceLength: boolean }, shape: 'object' | 'array'): Answer {
  const [head, tail] = shape === 'object' ? ['{"id":"user-alice","padding":"', '"}'] : ['[{"id":"r","padding":"', '"}]'];
  const padding = Buffer.alloc(64 * 1024, 'x');
  return (_request, response, seen) => {
    response.writeHead(200, { 'content-type': 'application/json', ...(announceLength ? { 'content-length': String(bytes) } : {}) });
    let remaining = bytes - head.length - tail.length;
    const write = (chunk: Buffer | string) => {
      seen.bytesSent += Buffer.byteLength(chunk);
      return response.write(chunk);
    };
    write(head);
    const pump = () => {
      while (remaining > 0 && !response.destroyed) {
        const chunk = remaining >= padding.length ? padding : padding.subarray(0, remaining);
        remaining -= chunk.length;
        if (!write(chunk)) return void response.once('drain', pump);
      }
      if (!response.destroyed) {
        write(tail);
        response.end();
      }
    };
    pump();
  };
}

/** Waits (at most 2 s) until `condition` holds; the assertion after it says what was expected. */
async function eventually(condition: () => boolean): Promise<void> {
  for (let waited = 0; waited < 2_000 && !condition(); waited += 20) await delay(20);
}

const aliceUser = {
  id: USER_ALICE,
  sub: USER_ALICE,
  email: 'alice@example.com',
  name: 'Alice',
  tenantId: TENANT_ACME,
  tenantIds: [TENANT_ACME],
  tenants: [{ tenantId: TENANT_ACME, roles: [] }],
  roles: [],
  permissions: [],
  verified: true,
  mfaEnrolled: false,
  metadata: '{}',
  createdAt: new Date(0).toISOString(),
};

describe('upstream budgets (issue 11: faults 2, 3 and 5; CONTRACT §5)', () => {
  let emulator: RunningEmulator;
  let fake: FakeIdentityApi;
  let fakeUrl: string;

  beforeAll(async () => {
    emulator = await startEmulator();
    fake = new FakeIdentityApi();
    fakeUrl = await fake.start();
  });
  afterAll(async () => {
    await fake.close();
    await emulator.close();
  });
  beforeEach(() => fake.reset());

  describe('one deadline per request for all its upstream work (fault 3)', () => {
    let gateway: TestGateway | undefined;
    const startGateway = async (environment: Record<string, string>) => {
      gateway = await startGatewayOn(emulator, { FRONTEGG_API_URL: fakeUrl, ROLES_CACHE_TTL_S: '0', ...environment });
      return gateway;
    };
    afterEach(async () => {
      await gateway?.close();
      gateway = undefined;
    });

    /** Times one answer, and prints the figure (the closing note lists them). */
    const timed = async <T extends { status: number }>(work: () => Promise<T>): Promise<{ answer: T; elapsedMs: number }> => {
      const startedAt = performance.now();
      const answer = await work();
      const elapsedMs = performance.now() - startedAt;
      process.stdout.write(`${expect.getState().currentTestName}: ${answer.status} after ${Math.round(elapsedMs)} ms\n`);
      return { answer, elapsedMs };
    };

    it('a silent upstream: GET /v1/me is a 504 after 2 attempts of UPSTREAM_TIMEOUT_MS, no more', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '1000' });
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const { answer, elapsedMs } = await timed(() => running.http().get('/v1/me').set('authorization', bearer));
      expectProblem(answer, 504);
      expect(fake.calls('GET', USER_PATH)).toHaveLength(2);
      // Two attempts of 1 s; a third would take it past 3 s (generous for a loaded CI machine).
      expect(elapsedMs).toBeGreaterThanOrEqual(1_900);
      expect(elapsedMs).toBeLessThan(2_900);
    });

    it('REQUEST_DEADLINE_MS bounds the retries: 1.5 s deadline, 1 s timeout → 504 by about 1.5 s', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '1000', REQUEST_DEADLINE_MS: '1500' });
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const { answer, elapsedMs } = await timed(() => running.http().get('/v1/me').set('authorization', bearer));
      expectProblem(answer, 504);
      expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
      expect(elapsedMs).toBeLessThan(2_300);
      // The second attempt got only what was left of the deadline, and was given up on.
      await eventually(() => fake.calls('GET', USER_PATH).every((attempt) => attempt.abandoned));
      const attempts = fake.calls('GET', USER_PATH);
      expect(attempts).toHaveLength(2);
      expect(attempts.every((attempt) => attempt.abandoned)).toBe(true);
      expect((await running.http().get('/metrics')).text).toMatch(/^gateway_upstream_budget_exceeded_total\{budget="deadline"\} 1$/m);
    });

    it('a write that times out is never retried', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '1000' });
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const { answer, elapsedMs } = await timed(() => running.http().patch('/v1/me').set('authorization', bearer).send({ name: 'Alice A.' }));
      expectProblem(answer, 504);
      expect(fake.calls('PUT', UPDATE_PATH)).toHaveLength(1);
      expect(elapsedMs).toBeLessThan(1_600);
    });

    it('a slow vendor authentication counts toward the deadline', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '1000', REQUEST_DEADLINE_MS: '1500' });
      fake.vendorAuth = (request, response) => void delay(800).then(() => answerVendorToken(request, response));
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const { answer, elapsedMs } = await timed(() => running.http().get('/v1/me').set('authorization', bearer));
      expectProblem(answer, 504);
      expect(elapsedMs).toBeGreaterThanOrEqual(1_400);
      expect(elapsedMs).toBeLessThan(2_300);
      // 0.8 s went to the vendor token: the read got the 0.7 s left, and no second attempt.
      expect(fake.calls('GET', USER_PATH)).toHaveLength(1);
    });

    it('a silent vendor authentication: the waiting request answers 504 at its deadline', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '5000', REQUEST_DEADLINE_MS: '1000' });
      fake.vendorAuth = () => undefined;
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const { answer, elapsedMs } = await timed(() => running.http().get('/v1/me').set('authorization', bearer));
      expectProblem(answer, 504);
      expect(elapsedMs).toBeLessThan(1_500);
      expect(fake.calls('GET', USER_PATH)).toHaveLength(0);
    });

    it('a client that goes away cancels the upstream read made for it', async () => {
      const running = await startGateway({ UPSTREAM_TIMEOUT_MS: '5000' });
      const bearer = `Bearer ${await running.token({ userId: USER_ALICE })}`;
      const request = running.http().get('/v1/me').set('authorization', bearer).timeout({ response: 300 });
      await expect(request).rejects.toThrow(/timeout/i);
      const clientLeftAt = performance.now();
      // The upstream sees the gateway go away soon after the client did, not at the 5 s timeout.
      await eventually(() => fake.calls('GET', USER_PATH)[0]?.abandoned === true);
      const [attempt, ...others] = fake.calls('GET', USER_PATH);
      expect(attempt).toMatchObject({ abandoned: true });
      expect(attempt.abandonedAt! - clientLeftAt).toBeLessThan(1_000);
      await delay(300);
      expect(others).toHaveLength(0); // and no retry for a client that is gone
      expect(fake.calls('GET', USER_PATH)).toHaveLength(1);
    });
  });

  it('a client that leaves does not fail the others sharing its cached read', async () => {
    const gateway = await startGatewayOn(emulator, { FRONTEGG_API_URL: fakeUrl, ROLES_CACHE_TTL_S: '30', UPSTREAM_TIMEOUT_MS: '5000' });
    try {
      fake.answer = (request, response, seen) => void delay(600).then(() => answerJson([])(request, response, seen));
      const bearer = `Bearer ${await gateway.token({ userId: USER_ALICE })}`;
      // (.then() sends a supertest request at once; it would wait for its first await otherwise.)
      const leaving = gateway.http().get('/v1/roles').set('authorization', bearer).timeout({ response: 300 }).then((answer) => answer);
      await delay(100);
      const staying = gateway.http().get('/v1/roles').set('authorization', bearer).then((answer) => answer);
      await expect(leaving).rejects.toThrow(/timeout/i);
      const answer = await staying;
      expect(answer.status).toBe(200);
      // The first read was cancelled with its client; the one still waiting read for itself.
      expect(fake.calls('GET', ROLES_PATH).map((call) => call.abandoned)).toEqual([true, false]);
    } finally {
      await gateway.close();
    }
  });

  describe('an oversized upstream answer (fault 2)', () => {
    let gateway: GatewayProcess | undefined;
    afterEach(async () => {
      await gateway?.stop();
      gateway = undefined;
    });

    const rssBytes = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;

    it('is a 502 for GET /v1/me and GET /v1/roles, never buffered whole: the gateway process stays flat', async () => {
      // As in production (Dockerfile): a 128 MB heap.
      gateway = await startGatewayProcess(emulator, {
        FRONTEGG_API_URL: fakeUrl,
        ROLES_CACHE_TTL_S: '0',
        NODE_OPTIONS: '--max-old-space-size=128',
      });
      const pid = gateway.child.pid!;
      const { url } = gateway;
      const bearer = `Bearer ${await new EmulatorControlClient(emulator.url).mintToken({ userId: USER_ALICE })}`;
      const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: bearer } });

      // Warm up both routes with ordinary answers, so the figure below is what oversized answers add.
      fake.answer = (request, response, seen) =>
        (request.url?.startsWith(ROLES_PATH) ? answerJson([]) : answerJson(aliceUser))(request, response, seen);
      for (let round = 0; round < 5; round++) {
        expect((await get('/v1/me')).status).toBe(200);
        expect((await get('/v1/roles')).status).toBe(200);
      }
      const before = rssBytes(pid);

      // GET user: 50 MB with Content-Length (refused at once); roles: 50 MB chunked (cut off).
      fake.answer = (request, response, seen) =>
        (request.url?.startsWith(ROLES_PATH)
          ? answerOversized(50 * MiB, { announceLength: false }, 'array')
          : answerOversized(50 * MiB, { announceLength: true }, 'object'))(request, response, seen);
      const answers: { path: string; status: number; detail: string; body: string }[] = [];
      for (let round = 0; round < 5; round++) {
        for (const path of ['/v1/me', '/v1/roles']) {
          // (A failed fetch is a TypeError of another realm than Jest's: told apart by shape.)
          const answer = await get(path).catch((error: { message: string }) => ({ failed: error.message }));
          if ('failed' in answer) {
            answers.push({ path, status: 0, detail: `no answer (${answer.failed}); gateway exit code ${gateway.child.exitCode}`, body: '' });
            continue;
          }
          const body = await answer.text();
          answers.push({ path, status: answer.status, detail: String((JSON.parse(body) as { detail?: unknown }).detail), body: body.slice(0, 2000) });
        }
      }
      await delay(200);
      expect(gateway.output().match(/FATAL ERROR.*/)?.[0]).toBeUndefined();
      const after = rssBytes(pid);
      const growthMiB = (after - before) / MiB;
      process.stdout.write(`oversized answers: gateway RSS ${(before / MiB).toFixed(1)} MiB → ${(after / MiB).toFixed(1)} MiB (+${growthMiB.toFixed(1)} MiB) after 10 answers of 50 MiB\n`);
      for (const answer of answers) {
        expect({ path: answer.path, status: answer.status }).toEqual({ path: answer.path, status: 502 });
        expect(answer.detail).toMatch(/too large/);
        expect(answer.body).not.toMatch(/127\.0\.0\.1|identity\/resources/);
      }
      expect(growthMiB).toBeLessThan(20);

      // 5 warm-up reads and 5 oversized ones per route: none retried (not transient), and every
      // oversized answer was given up on by the gateway before it was sent whole.
      const userReads = fake.calls('GET', USER_PATH);
      const roleReads = fake.calls('GET', ROLES_PATH);
      expect({ userReads: userReads.length, roleReads: roleReads.length }).toEqual({ userReads: 10, roleReads: 10 });
      for (const read of [...userReads.slice(5), ...roleReads.slice(5)]) {
        expect({ path: read.path, abandoned: read.abandoned, sentWhole: read.bytesSent >= 50 * MiB }).toEqual({ path: read.path, abandoned: true, sentWhole: false });
      }
      expect(gateway.child.exitCode).toBeNull();
    });
  });

  it('an oversized answer to POST /auth/vendor is a 502 too, not retried', async () => {
    const gateway = await startGatewayOn(emulator, { FRONTEGG_API_URL: fakeUrl, UPSTREAM_MAX_RESPONSE_BYTES: String(64 * 1024) });
    try {
      fake.vendorAuth = answerOversized(5 * MiB, { announceLength: false }, 'object');
      const answer = await gateway.http().get('/v1/me').set('authorization', `Bearer ${await gateway.token({ userId: USER_ALICE })}`);
      expectProblem(answer, 502);
      expect(answer.body.detail).toBe('identity API answer to vendor authentication was too large');
      expect(fake.calls('POST', VENDOR_AUTH)).toHaveLength(1);
    } finally {
      await gateway.close();
    }
  });

  it("the emulator's oversizedBodyBytes fault: a streamed answer over the bound is a 502", async () => {
    const gateway = await startGatewayOn(emulator, { ROLES_CACHE_TTL_S: '0' });
    try {
      await gateway.upstream.reset();
      await gateway.upstream.injectFault({ method: 'GET', path: ROLES_PATH, oversizedBodyBytes: 5 * MiB, count: 1 });
      const bearer = `Bearer ${await gateway.token({ userId: USER_ALICE })}`;
      const answer = await gateway.http().get('/v1/roles').set('authorization', bearer);
      expectProblem(answer, 502);
      expect(answer.body.detail).toBe('identity API answer to list roles was too large');
      expect(await gateway.upstream.requests({ method: 'GET', path: ROLES_PATH })).toHaveLength(1);
      expect((await gateway.http().get('/v1/roles').set('authorization', bearer)).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });

  describe('readiness and a refused vendor credential (fault 5)', () => {
    it('20 probes in 2 s cause one POST /auth/vendor, each probe 503; a request still renews', async () => {
      const gateway = await startGatewayOn(emulator, { FRONTEGG_API_URL: emulator.url });
      try {
        await gateway.upstream.reset();
        await gateway.upstream.injectFault({ method: 'POST', path: VENDOR_AUTH, status: 401 });
        const statuses: number[] = [];
        for (let probe = 0; probe < 20; probe++) {
          const answer = await gateway.http().get('/health/ready');
          statuses.push(answer.status);
          if (probe === 0) expect(answer.body.checks).toMatchObject({ vendorToken: { status: 'down' } });
          await delay(100);
        }
        expect(statuses).toEqual(Array(20).fill(503));
        expect(await gateway.upstream.requests({ method: 'POST', path: VENDOR_AUTH })).toHaveLength(1);

        // A request-driven renewal is not held back by the probes' pause, and readiness follows it.
        await gateway.upstream.clearFaults();
        const bearer = `Bearer ${await gateway.token({ userId: USER_ALICE })}`;
        expect((await gateway.http().get('/v1/me').set('authorization', bearer)).status).toBe(200);
        expect(await gateway.upstream.requests({ method: 'POST', path: VENDOR_AUTH })).toHaveLength(2);
        expect((await gateway.http().get('/health/ready')).status).toBe(200);
      } finally {
        await gateway.close();
      }
    });
  });
});
