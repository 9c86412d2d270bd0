/**
 * Family 6 — secrets hygiene (CONTRACT §2, §6; OWASP API8). A full scenario runs with every log
 * line captured at LOG_LEVEL=trace: sign-in, reads, writes, refused tokens (also in the query
 * string and cookies), upstream failures of every kind, vendor-token renewal, a JWKS outage. No
 * user token, vendor token, API key or metrics token may appear in the log; no answer may reveal
 * an upstream URL, a credential or a stack trace.
 */
import type { Response } from 'supertest';
import { DEV_PASSWORD, USER_ALICE, type FaultSpec } from '../../src/emulator';
import { advanceClock } from '../support/assertions';
import { liveRoutes, routeName, send } from './support/routes';
import { JWKS_PATH, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const METRICS_TOKEN = 'metrics-secret-for-the-hygiene-suite';
const USER_PATH = `/identity/resources/vendor-only/users/v1/${USER_ALICE}`;

describe('secrets hygiene: logs and answers of a full scenario (CONTRACT §2, §6)', () => {
  let g: SecurityGateway;
  const written: string[] = [];
  const answers: { label: string; response: Response }[] = [];
  const userTokens: string[] = [];

  beforeAll(async () => {
    // pino writes to process.stdout when it finds write replaced at start: every line comes here.
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    g = await startSecurityGateway({ LOG_LEVEL: 'trace', UPSTREAM_TIMEOUT_MS: '300', ROLES_CACHE_TTL_S: '0', METRICS_TOKEN });
    await runScenario();
    // The whole scenario runs here: about 5 s alone (as long on 2ef8af6), more beside the other suites.
  }, 30_000);
  afterAll(async () => {
    await g.close();
    jest.restoreAllMocks();
  });

  const record = async (label: string, pending: PromiseLike<Response>) => {
    const response = await pending;
    answers.push({ label, response });
    return response;
  };
  const minted = async (options: Parameters<SecurityGateway['token']>[0] = {}) => {
    const token = await g.token(options);
    userTokens.push(token);
    return token;
  };
  const getMe = (token: string, label: string) => record(label, g.http().get('/v1/me').set('authorization', `Bearer ${token}`));

  async function runScenario(): Promise<void> {
    // Sign-in at the identity provider, as a front end does.
    const signIn = await g.upstream.login('alice@acme.test', DEV_PASSWORD);
    userTokens.push(signIn.accessToken, signIn.refreshToken);
    const alice = signIn.accessToken;

    // Reads and writes, and every route the gateway serves, as its legitimate caller.
    await getMe(alice, 'read profile');
    await record('read roles', g.http().get('/v1/roles').set('authorization', `Bearer ${alice}`));
    await record('write profile', g.http().patch('/v1/me').set('authorization', `Bearer ${alice}`).send({ name: 'Alice L', metadata: { theme: 'light' } }));
    for (const route of await liveRoutes(g)) {
      await g.reset();
      await record(`legitimate ${routeName(route)}`, send(g, route, { authorization: `Bearer ${await minted({ userId: USER_ALICE })}` }));
    }
    await record('invalid body', g.http().patch('/v1/me').set('authorization', `Bearer ${alice}`).send({ mfaBypass: true }));
    await record('metrics', g.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`));
    await record('metrics, wrong token', g.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}x`));

    // Refused credentials, wherever the client put them.
    await record('token in the query', g.http().get(`/v1/roles?access_token=${alice}`));
    await record('token in the query of an unknown route', g.http().get(`/v1/nothing?access_token=${alice}&token=${alice}`));
    await record('token in a cookie', g.http().get('/v1/roles').set('cookie', `access_token=${alice}`));
    await record('token in x-access-token', g.http().get('/v1/roles').set('x-access-token', alice));
    await record('expired token', g.http().get('/v1/roles').set('authorization', `Bearer ${await minted({ expiresInSeconds: -600 })}`));
    await record('forged token', g.http().get('/v1/roles').set('authorization', `Bearer ${await minted({ signWith: 'foreign' })}`));
    await record('alg none', g.http().get('/v1/roles').set('authorization', `Bearer ${await minted({ signWith: 'none' })}`));
    await record('two tokens', g.http().get('/v1/roles').set('authorization', [`Bearer ${alice}`, `Bearer ${alice}`] as unknown as string));

    // Upstream failures, each followed by a success so the circuit stays closed.
    const failures: [string, Omit<FaultSpec, 'path'>][] = [
      ['upstream 500 with a revealing body', { status: 500, body: { errors: [`Error: boom\n    at handler (/srv/app.js:1:1) ${g.emulator.url}`] } }],
      ['upstream 503 as text', { status: 503, body: `upstream ${g.emulator.url}${USER_PATH} is down` }],
      ['upstream 400 with messages', { status: 400, body: { errors: ['name is reserved'] } }],
      ['upstream 404', { status: 404 }],
      ['upstream 429', { status: 429, rateLimitResetSeconds: 5 }],
      ['upstream timeout', { latencyMs: 600 }],
      ['upstream drops the connection', { dropConnection: true }],
      ['upstream refuses the vendor token', { status: 401 }],
    ];
    for (const [label, fault] of failures) {
      await g.upstream.injectFault({ method: 'GET', path: USER_PATH, ...fault });
      await getMe(alice, label);
      await g.upstream.clearFaults();
      await getMe(alice, `${label}, then recovered`);
    }

    // Vendor-token renewal: refused upstream, renewed on schedule, and the renewal itself failing.
    await g.upstream.expireVendorTokens();
    await getMe(alice, 'vendor token refused, renewed and retried');
    await g.upstream.settings({ vendorTokenTtlSeconds: 60 });
    await g.upstream.expireVendorTokens();
    await getMe(alice, 'short-lived vendor token obtained');
    advanceClock(55_000);
    await getMe(await minted(), 'vendor token renewed on schedule');
    await g.upstream.injectFault({ method: 'POST', path: '/auth/vendor', status: 500, body: { errors: [`secret ${g.emulator.apiKey} rejected`] } });
    await g.upstream.expireVendorTokens();
    await getMe(await minted(), 'vendor authentication failing');
    await g.upstream.clearFaults();
    await getMe(await minted(), 'vendor authentication recovered');

    // The JWKS endpoint goes down while an unknown key is presented.
    await g.upstream.injectFault({ method: 'GET', path: JWKS_PATH, status: 503 });
    jest.spyOn(Date, 'now').mockRestore(); // only the clock: the log capture stays
    advanceClock(175_000); // 55 s above, and 120 s more: past the refetch cooldown
    await record('unknown key while the JWKS is down', g.http().get('/v1/roles').set('authorization', `Bearer ${await minted({ header: { kid: 'new-key' } })}`));
    await g.upstream.clearFaults();
  }

  const logText = () => written.join('');
  const vendorTokens = async () => {
    const calls = await g.upstream.requests();
    return [...new Set(calls.map((call) => String(call.headers.authorization ?? '')).filter((value) => value.startsWith('Bearer ')).map((value) => value.slice(7)))]
      .filter((token) => !userTokens.includes(token) && token !== METRICS_TOKEN);
  };

  it('the scenario ran and was logged (the capture works)', () => {
    expect(answers.length).toBeGreaterThan(30);
    const statuses = new Set(answers.map(({ response }) => response.status));
    for (const status of [200, 400, 401, 404, 502, 503, 504]) expect(statuses).toContain(status);
    const text = logText();
    expect(text).toContain('vendor token obtained');
    expect(text).toContain('JWKS refresh failed');
    expect(text).toMatch(/"statusCode":502/);
  });

  it('every log line is one JSON object (nothing a client sent can forge a line)', () => {
    const lines = logText().split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(50);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('no user token (access or refresh), not even its signature, is in the log', () => {
    const text = logText();
    expect(userTokens.length).toBeGreaterThan(5);
    for (const token of userTokens) {
      expect(text).not.toContain(token);
      const signature = token.split('.')[2];
      if (signature && signature.length >= 20) expect(text).not.toContain(signature);
    }
  });

  it('no vendor token, API key or metrics token is in the log', async () => {
    const text = logText();
    const vendor = await vendorTokens();
    expect(vendor.length).toBeGreaterThan(1);
    for (const token of vendor) expect(text).not.toContain(token);
    expect(text).not.toContain(g.emulator.apiKey);
    expect(text).not.toContain(METRICS_TOKEN);
  });

  it('query strings are not logged (a token put there stays out)', () => {
    const text = logText();
    expect(text).not.toContain('access_token=');
    expect(text).toContain('/v1/roles?[redacted]');
  });

  it('no answer reveals an upstream URL, a credential or a stack trace', async () => {
    const upstream = new URL(g.emulator.url);
    const secrets = [g.emulator.apiKey, METRICS_TOKEN, ...(await vendorTokens())];
    for (const { label, response } of answers) {
      const shown = `${JSON.stringify(response.headers)}\n${response.text ?? ''}`;
      const leaks = [
        shown.includes(upstream.host) && 'upstream host',
        shown.includes(upstream.href.replace(/\/$/, '')) && 'upstream URL',
        // (the metrics' HELP texts name the upstream operations they count: documentation, not a URL)
        !label.startsWith('metrics') && /\/identity\/resources|\/auth\/vendor|jwks\.json/.test(shown) && 'upstream path',
        /\bat .*\(?[^\s]+:\d+:\d+\)?/.test(shown) && 'stack frame',
        /\b(?:TypeError|ReferenceError|AxiosError|SyntaxError|Error):/.test(shown) && 'error name',
        secrets.some((secret) => shown.includes(secret)) && 'secret',
        response.status === 401 && userTokens.some((token) => shown.includes(token)) && 'echoed user token',
      ].filter(Boolean);
      expect({ label, leaks }).toEqual({ label, leaks: [] });
    }
  });

  it('every refusal in the scenario is a problem with the request id', () => {
    for (const { label, response } of answers.filter(({ response }) => response.status >= 400)) {
      if (label.startsWith('metrics')) continue;
      expect({ label, type: response.headers['content-type'] }).toEqual({ label, type: expect.stringMatching(/^application\/problem\+json/) });
      expect({ label, requestId: response.body.requestId }).toEqual({ label, requestId: response.headers['x-request-id'] });
    }
  });
});
