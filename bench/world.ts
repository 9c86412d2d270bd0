/** What every run needs first: the signing key, the upstream stand-in, users' tokens, the built gateway. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { API_KEY, CLIENT_ID, USERS } from './fixtures';
import { forkServer, httpSend, startGateway, type GatewayOptions, type ServerProcess } from './processes';
import { createSigningKeys, userAccessToken } from './tokens';

/** The project root (this file runs from bench/dist/bench/). */
export const ROOT = resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = join(ROOT, 'bench', 'results');
/** The checkout whose dist/main.js is measured: this project, or BENCH_GATEWAY_ROOT (a baseline, say). */
export const GATEWAY_ROOT = resolve(process.env.BENCH_GATEWAY_ROOT || ROOT);

export interface World {
  standIn: ServerProcess;
  /** One access token per user, in USERS order. */
  userTokens: string[];
  /** A vendor token of the stand-in, for loading it directly (scenario C). */
  vendorToken: string;
  /** JSON file of [token, user id, tenant id] for every user: the callers the NestJS ceilings (F, G) know. */
  callersFile: string;
  /** The stand-in's environment (its signing keys), for starting another that accepts the same user tokens. */
  standInEnvironment: Record<string, string>;
}

function newestSourceMs(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

let gatewayMain: string | undefined;

/**
 * Builds the gateway when dist/main.js is missing or older than a source file (`npm run build`),
 * then runs it from a private copy: `nest build` empties dist/ first, so a build started elsewhere
 * during the run (a test run, say) would otherwise pull the gateway away mid-run. A baseline
 * checkout (BENCH_GATEWAY_ROOT) runs in place.
 */
export function prepareGateway(): void {
  const main = join(GATEWAY_ROOT, 'dist', 'main.js');
  if (!existsSync(main) || statSync(main).mtimeMs < newestSourceMs(join(GATEWAY_ROOT, 'src'))) {
    console.log(`Building the gateway in ${GATEWAY_ROOT} (npm run build) ...`);
    const build = spawnSync('npm', ['run', 'build'], { cwd: GATEWAY_ROOT, stdio: 'inherit' });
    if (build.status !== 0 || !existsSync(main)) throw new Error('npm run build failed: the gateway cannot be benchmarked');
  }
  if (GATEWAY_ROOT !== ROOT) {
    gatewayMain = main;
    return;
  }
  const copy = join(ROOT, 'bench', 'dist', 'gateway');
  rmSync(copy, { recursive: true, force: true });
  cpSync(join(ROOT, 'dist'), copy, { recursive: true });
  gatewayMain = join(copy, 'main.js');
  if (!existsSync(gatewayMain)) throw new Error('dist/ changed while it was copied (a build elsewhere?): run the benchmark again');
}

/** Which gateway was measured: its directory, commit, and whether its sources differ from it. */
export function gatewayRevision(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: GATEWAY_ROOT, encoding: 'utf8' });
  const head = git('rev-parse', '--short', 'HEAD');
  if (head.status !== 0) return `${GATEWAY_ROOT} (not a git checkout)`;
  const dirty = git('status', '--porcelain', '--', 'src').stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' with uncommitted changes in src/' : ''}${GATEWAY_ROOT === ROOT ? '' : ` at ${GATEWAY_ROOT}`}`;
}

export async function startWorld(): Promise<World> {
  const keys = createSigningKeys();
  const standInEnvironment = {
    BENCH_PUBLIC_JWK: JSON.stringify(keys.publicJwk),
    BENCH_PUBLIC_PEM: keys.publicPem,
    ...(process.env.BENCH_ENTITLEMENTS_TUPLES ? { BENCH_ENTITLEMENTS_TUPLES: process.env.BENCH_ENTITLEMENTS_TUPLES } : {}),
  };
  const standIn = await forkServer('stand-in', 'stand-in', standInEnvironment);
  const userTokens = USERS.map((user) => userAccessToken(keys, standIn.url, user));
  const vendor = await httpSend('POST', `${standIn.url}/auth/vendor`, { 'content-type': 'application/json' }, JSON.stringify({ clientId: CLIENT_ID, secret: API_KEY }));
  if (vendor.status !== 200) throw new Error(`the stand-in refused the vendor credentials (${vendor.status})`);
  const vendorToken = (JSON.parse(vendor.body) as { token: string }).token;
  const callersFile = join(ROOT, 'bench', 'dist', 'callers.json');
  mkdirSync(join(ROOT, 'bench', 'dist'), { recursive: true });
  writeFileSync(callersFile, JSON.stringify(USERS.map((user, i) => [userTokens[i], user.id, user.tenantId])));
  return { standIn, userTokens, vendorToken, callersFile, standInEnvironment };
}

/** Ceiling F (bench/servers/nest-roles.ts) and ceiling G (bench/servers/nest-proxy.ts), knowing the world's callers. */
export async function startNestCeilings(world: World, execArgv: { F?: string[]; G?: string[] } = {}): Promise<{ nestRoles: ServerProcess; nestProxy: ServerProcess }> {
  const callers = { BENCH_CALLERS_FILE: world.callersFile };
  const nestRoles = await forkServer('nest-roles', 'nest-roles', callers, execArgv.F);
  const nestProxy = await forkServer(
    'nest-proxy',
    'nest-proxy',
    { ...callers, BENCH_UPSTREAM_URL: world.standIn.url, BENCH_CLIENT_ID: CLIENT_ID, BENCH_API_KEY: API_KEY },
    execArgv.G,
  );
  return { nestRoles, nestProxy };
}

export function startGatewayFor(
  world: World,
  logLevel: string,
  logName: string,
  nodeArgs: string[] = [],
  extra: Pick<GatewayOptions, 'env' | 'launcher'> = {},
): Promise<ServerProcess> {
  if (gatewayMain === undefined) throw new Error('prepareGateway() first');
  return startGateway(gatewayMain, GATEWAY_ROOT, {
    upstreamUrl: world.standIn.url,
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    logLevel,
    logFile: join(RESULTS_DIR, `${logName}.log.tmp`),
    nodeArgs,
    ...extra,
  });
}
