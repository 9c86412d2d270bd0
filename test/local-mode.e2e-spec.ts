import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { BUILT_MAIN, cleanEnvironment, freePort, runBuiltGateway, type RunningProcess } from './support/processes';

describe('local mode (CONTRACT §7): the gateway with no credentials runs on the emulator', () => {
  let gateway: RunningProcess;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    const emulatorPort = await freePort();
    gateway = runBuiltGateway(cleanEnvironment({ PORT: String(port), HOST: '127.0.0.1', EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'info' }));
    await gateway.waitFor(`/v1/me -H "authorization: Bearer $TOKEN"`);
  });

  afterAll(async () => {
    gateway.child.kill('SIGTERM');
    await gateway.exited;
  });

  it('prints a copy-paste curl that signs a seeded user in and reads /v1/me', () => {
    const lines = gateway.output().split('\n');
    const start = lines.findIndex((line) => line.trim().startsWith('TOKEN=$(curl'));
    const script = lines.slice(start, start + 3).join('\n');
    const answer = execFileSync('bash', ['-c', script], { encoding: 'utf8', timeout: 10_000 });
    expect(JSON.parse(answer)).toMatchObject({ id: 'user-alice', email: 'alice@acme.test', tenantId: 'tenant-acme' });
  });

  it('lists every seeded user with its development password', () => {
    for (const email of ['alice@acme.test', 'bob@acme.test', 'carol@globex.test', 'dave@globex.test', 'erin@shared.test']) {
      expect(gateway.output()).toContain(email);
    }
    expect(gateway.output()).toContain('frontegg-dev-password');
  });

  it('prints the banner last, after every start-up log line, with each seeded user\'s roles', () => {
    const lines = gateway.output().split('\n');
    const started = lines.findIndex((line) => line.includes('Nest application successfully started'));
    const banner = lines.findIndex((line) => line.startsWith('Local mode:'));
    expect(started).toBeGreaterThan(-1);
    expect(banner).toBeGreaterThan(started);
    expect(lines.slice(banner).filter((line) => line.startsWith('{'))).toEqual([]);
    const userLine = (email: string) => lines.find((line) => line.trim().startsWith(email));
    expect(userLine('alice@acme.test')).toMatch(/tenant-acme: Admin\b/);
    expect(userLine('erin@shared.test')).toMatch(/tenant-acme: Member\b.*tenant-globex: /);
  });

  it('is ready and serves the docs', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/docs-json`)).status).toBe(200);
  });

  it("turns ENTITLEMENTS on, with the emulator's seeded plans loaded at start (CONTRACT §1, §7)", async () => {
    const ready = (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as { details: Record<string, unknown> };
    expect(ready.details.entitlements).toEqual({ status: 'up', offset: expect.any(Number), ageS: expect.any(Number) });
  });
});

describe('local mode at a terminal: readable lines, the banner and no framework chatter', () => {
  let gateway: ChildProcess;
  let output = '';
  let port: number;
  /** The terminal's text without its colours and carriage returns. */
  const screen = () => output.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '');

  beforeAll(async () => {
    port = await freePort();
    const emulatorPort = await freePort();
    // util-linux's `script` gives the gateway a pseudo-terminal, as `npm start` in a terminal does.
    gateway = spawn('script', ['-qfec', `${process.execPath} ${BUILT_MAIN}`, '/dev/null'], {
      env: cleanEnvironment({ PORT: String(port), HOST: '127.0.0.1', EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'info', LOG_FORMAT: '' }),
    });
    gateway.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await until(() => screen().includes('Browser sessions: on'), () => `no banner; the terminal shows:\n${screen()}`);
    await fetch(`http://127.0.0.1:${port}/health/live`);
    await until(() => /GET \/health\/live 200 [\d.]+ ms/.test(screen()), () => `no access line; the terminal shows:\n${screen()}`);
  });

  afterAll(async () => {
    const exited = new Promise((resolve) => gateway.once('exit', resolve));
    gateway.kill('SIGTERM');
    await exited;
  });

  it('prints readable, coloured lines and not one JSON line', () => {
    expect(output).toMatch(/\x1b\[3\dm/);
    const lines = screen().split('\n').filter((line) => line.trim());
    expect(lines.filter((line) => line.startsWith('{'))).toEqual([]);
    expect(lines).toContainEqual(expect.stringMatching(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: GET \/health\/live 200 [\d.]+ ms$/));
  });

  it("keeps Nest's start-up lines at debug, so the banner is what a newcomer sees", () => {
    expect(screen()).not.toMatch(/InstanceLoader|RouterExplorer|RoutesResolver|Nest application successfully started/);
    expect(screen().indexOf('Local mode:')).toBeLessThan(screen().indexOf('GET /health/live 200'));
  });
});

async function until(condition: () => boolean, failure: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('configuration at start (CONTRACT §1)', () => {
  it('stops with one line per problem, naming each variable, and never a secret', async () => {
    const secret = 'my secret api key with spaces';
    const started = runBuiltGateway(
      cleanEnvironment({
        NODE_ENV: 'production',
        FRONTEGG_CLIENT_ID: 'client',
        FRONTEGG_API_KEY: secret,
        PORT: 'not-a-port',
        FRONTEGG_REGION: 'mars',
        FRONTEGG_APP_URL: 'http://app.example.com',
      }),
    );
    expect(await started.exited).toBe(1);
    const problems = started.output().split('\n').filter((line) => line.startsWith('  - '));
    expect(problems.map((line) => line.slice(4).split(' ')[0]).sort()).toEqual([
      'FRONTEGG_API_KEY',
      'FRONTEGG_APP_URL',
      'FRONTEGG_REGION',
      'PORT',
    ]);
    expect(started.output()).not.toContain(secret);
    expect(started.output()).not.toMatch(/\bat \S+\.js:\d+/); // no stack trace
  });

  it('refuses local mode in production', async () => {
    const started = runBuiltGateway(cleanEnvironment({ NODE_ENV: 'production' }));
    expect(await started.exited).toBe(1);
    expect(started.output()).toContain('FRONTEGG_CLIENT_ID is required in production');
  });
});
