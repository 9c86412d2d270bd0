import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnvironment, freePort, runBuiltGateway, type RunningProcess } from './support/processes';

/**
 * Issue 12 item 2: the typed client in clients/typescript. Its generated types are never stale, a
 * frontend project that installs it compiles the sample of docs/frontend-teams.md with strict settings and runs it
 * against a gateway in local mode, and a wrong field, path or `reason` is a compile error.
 */
jest.setTimeout(120_000);

const ROOT = join(__dirname, '..');
const CLIENT = join(ROOT, 'clients', 'typescript');
const EXAMPLES = join(CLIENT, 'examples');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

interface Finished {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code === 'string') {
        reject(new Error(`cannot run ${command} (${error.code}): ${command === 'npm' ? 'npm comes with Node.js; put it on PATH' : error.message}`));
        return;
      }
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const tsc = (project: string, config = 'tsconfig.json') => run(process.execPath, [TSC, '-p', config, '--pretty', 'false'], project);

describe('clients/typescript/src/gateway.ts', () => {
  it('is what openapi-typescript makes of openapi/gateway.json (else run `npm run client` and commit the diff)', async () => {
    // The package's own `generate` script, with openapi-typescript's --check: compares, writes nothing.
    const checked = await run('npm', ['run', '--silent', 'generate', '--', '--check'], CLIENT);
    if (checked.code !== 0) {
      throw new Error(`clients/typescript/src/gateway.ts is stale: run \`npm run client\` and commit the diff\n${checked.output}`);
    }
  });
});

describe('a frontend project with the client installed from clients/typescript', () => {
  let project: string;
  let gateway: RunningProcess;
  let gatewayUrl: string;
  let emulatorUrl: string;

  beforeAll(async () => {
    // What `npm install <gateway>/clients/typescript` does: `prepare` builds dist/, and the folder is linked.
    const built = await run('npm', ['run', '--silent', 'build'], CLIENT);
    if (built.code !== 0) throw new Error(`the client does not build:\n${built.output}`);
    project = mkdtempSync(join(tmpdir(), 'frontend-'));
    mkdirSync(join(project, 'node_modules', '@frontegg-identity-gateway'), { recursive: true });
    symlinkSync(CLIENT, join(project, 'node_modules', '@frontegg-identity-gateway', 'client'), 'dir');
    mkdirSync(join(project, 'src'));
    writeFileSync(join(project, 'package.json'), JSON.stringify({ private: true, type: 'module' }));
    // A browser project's settings, strict: DOM types, no Node types, ES modules as Node resolves them.
    const compilerOptions = {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      lib: ['ES2022', 'DOM'],
      types: [],
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'out',
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['src/frontend-sample.ts', 'src/main.ts'] }));
    writeFileSync(join(project, 'tsconfig.wrong.json'), JSON.stringify({ compilerOptions: { ...compilerOptions, noEmit: true }, files: ['src/deliberately-wrong.ts'] }));
    copyFileSync(join(EXAMPLES, 'frontend-sample.ts'), join(project, 'src', 'frontend-sample.ts'));
    copyFileSync(join(EXAMPLES, 'deliberately-wrong.ts'), join(project, 'src', 'deliberately-wrong.ts'));

    const port = await freePort();
    const emulatorPort = await freePort();
    gatewayUrl = `http://127.0.0.1:${port}`;
    emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
    gateway = runBuiltGateway(cleanEnvironment({ PORT: String(port), HOST: '127.0.0.1', EMULATOR_PORT: String(emulatorPort), LOG_LEVEL: 'warn' }));
    await gateway.waitFor('Local mode:');
  });

  afterAll(async () => {
    if (gateway) {
      gateway.child.kill('SIGTERM');
      await gateway.exited;
    }
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('is the sample docs/frontend-teams.md shows under "Sample", verbatim', () => {
    const page = readFileSync(join(ROOT, 'docs', 'frontend-teams.md'), 'utf8');
    const section = page.split(/^## /m).find((part) => part.startsWith('Sample\n'));
    if (!section) throw new Error('docs/frontend-teams.md has no "## Sample" section');
    const blocks = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
    expect(blocks).toContain(readFileSync(join(EXAMPLES, 'frontend-sample.ts'), 'utf8'));
  });

  it('compiles the docs sample with strict settings and runs it: sign in, profile, roles, a 403 handled by its reason', async () => {
    writeFileSync(
      join(project, 'src', 'main.ts'),
      [
        `import { createGatewayClient } from '@frontegg-identity-gateway/client';`,
        `import { createRole, listRoles, renameMe, signInLocally } from './frontend-sample.js';`,
        `const gatewayUrl = ${JSON.stringify(gatewayUrl)};`,
        `const emulatorUrl = ${JSON.stringify(emulatorUrl)};`,
        `const alice = await signInLocally(emulatorUrl, 'alice@acme.test');`,
        `const bob = await signInLocally(emulatorUrl, 'bob@acme.test');`,
        `const renamed = await renameMe(gatewayUrl, alice, 'Alice Liddell');`,
        `const roles = await listRoles(gatewayUrl, bob);`,
        `const refused = await createRole(gatewayUrl, bob, 'auditor-by-bob');`,
        `const created = await createRole(gatewayUrl, alice, 'auditor-by-alice');`,
        // The token may be a function, asked before every request; when it gives nothing, no header is sent.
        `const asBob = await createGatewayClient({ baseUrl: gatewayUrl, token: async () => bob }).GET('/v1/me');`,
        `const signedOut = await createGatewayClient({ baseUrl: gatewayUrl, token: () => undefined }).GET('/v1/me');`,
        `const unauthenticated = { status: signedOut.response.status, challenge: signedOut.response.headers.get('www-authenticate'), detail: signedOut.error?.detail };`,
        // Browser sessions: the cookie (credentials) and X-CSRF on every request, no token. Node's fetch keeps no cookies: a 401.
        `const sent: Array<{ csrf: string | null; credentials: string; authorization: string | null }> = [];`,
        `const viaSession = createGatewayClient({ baseUrl: gatewayUrl, session: true, fetch: (request: Request) => { sent.push({ csrf: request.headers.get('x-csrf'), credentials: request.credentials, authorization: request.headers.get('authorization') }); return fetch(request); } });`,
        `const noSession = await viaSession.GET('/auth/session');`,
        `const session = { sent, status: noSession.response.status };`,
        `console.log(JSON.stringify({ renamed, roles, refused, created, bob: asBob.data?.email, unauthenticated, session }));`,
      ].join('\n'),
    );
    const compiled = await tsc(project);
    expect(compiled.output).toBe('');
    expect(compiled.code).toBe(0);

    const ran = await run(process.execPath, [join(project, 'out', 'main.js')], project);
    if (ran.code !== 0) throw new Error(`the sample failed:\n${ran.output}`);
    const lines = ran.output.trim().split('\n');
    expect(lines[0]).toBe('alice@acme.test (Admin) was Alice Admin');
    const { renamed, roles, refused, created, bob, unauthenticated, session } = JSON.parse(lines[lines.length - 1]);
    expect(session).toEqual({ sent: [{ csrf: '1', credentials: 'include', authorization: null }], status: 401 });

    expect(renamed).toMatchObject({ id: 'user-alice', email: 'alice@acme.test', tenantId: 'tenant-acme', name: 'Alice Liddell' });
    const byKey = Object.fromEntries((roles as Array<{ key: string; environmentWide: boolean }>).map((role) => [role.key, role.environmentWide]));
    expect(byKey).toMatchObject({ Admin: true, Member: true, 'acme-auditor': false });
    expect(refused).toMatch(/^Ask an admin for access \(.*fe\.secure\.write\.roles.*\)$/);
    expect(created).toMatchObject({ key: 'auditor-by-alice', name: 'auditor-by-alice', level: 40, environmentWide: false });
    expect(bob).toBe('bob@acme.test');
    expect(unauthenticated).toEqual({ status: 401, challenge: expect.stringMatching(/^Bearer /), detail: expect.any(String) });

    // The change is the gateway's, not the sample's idea of it (this answer is checked against the document).
    const token = await signIn('alice@acme.test');
    const me = await fetch(`${gatewayUrl}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ name: 'Alice Liddell' });
  });

  it('refuses to compile a wrong field, path or reason, naming it (clients/typescript/examples/deliberately-wrong.ts)', async () => {
    const source = readFileSync(join(EXAMPLES, 'deliberately-wrong.ts'), 'utf8').split('\n');
    const expected = source.flatMap((line, index) => {
      const marked = /\/\/ error (TS\d+) (\S+)$/.exec(line);
      return marked ? [{ line: index + 1, code: marked[1], name: marked[2] }] : [];
    });
    expect(expected.length).toBeGreaterThanOrEqual(5);

    const compiled = await tsc(project, 'tsconfig.wrong.json');
    expect(compiled.code).not.toBe(0);
    const errors = [...compiled.output.matchAll(/^src\/deliberately-wrong\.ts\((\d+),\d+\): error (TS\d+): (.*)$/gm)].map((match) => ({
      line: Number(match[1]),
      code: match[2],
      message: match[3],
    }));
    expect(errors.map(({ line, code }) => ({ line, code }))).toEqual(expected.map(({ line, code }) => ({ line, code })));
    for (const [index, error] of errors.entries()) expect(error.message).toContain(expected[index].name);
    // Nothing else failed: every line of the output is one of these errors.
    expect(compiled.output.trim().split('\n')).toHaveLength(errors.length);
  });

  async function signIn(email: string): Promise<string> {
    const answer = await fetch(`${emulatorUrl}/identity/resources/auth/v1/user`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'frontegg-dev-password' }),
    });
    return ((await answer.json()) as { accessToken: string }).accessToken;
  }
});
