/**
 * `npm run soak`: mixed reads and writes from many users against the built gateway on the identity
 * emulator, while upstream faults are switched on and off. It fails (exit 1) when a request is lost,
 * a 5xx appears that no injected fault explains, or the floor of the gateway's resident memory grew over 10 %.
 *
 *   SOAK_SECONDS         length of the measured run (default 80: 10 s a fault; 20 for a smoke run)
 *   SOAK_WARMUP_SECONDS  the same load and faults before the run, so that memory is first read at its
 *                        steady state (default 30: a fresh gateway's RSS grows for about 25 s under this load)
 *   SOAK_CONCURRENCY     requests in flight (default 20)
 *   SOAK_GRACE_MS        how long after a fault is cleared its 5xx still count as explained (default 1000)
 *   SOAK_REDIS_PORT      the Redis on 127.0.0.1 that the gateway shares state through, behind a proxy
 *                        the soak can silence (default 6379; a random database of it)
 *   SOAK_REDIS=off       in-memory caches and counters instead, and no silent-Redis fault
 *   SOAK_FAULTS=off      the same load without faults (a baseline for memory and latency)
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmulatorControlClient } from '../src/emulator/control-client';
import { startRedisProxy, type RedisProxy } from '../test/support/redis-proxy';
import type { FaultSpec } from '../src/emulator/schemas/control.schemas';
import { BREAKER_OPEN_MS } from '../src/identity/upstream-policies';

// ---------------------------------------------------------------------------------------------
// Settings

function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got '${raw}'`);
  return value;
}

const SETTINGS = {
  seconds: numberFromEnv('SOAK_SECONDS', 80),
  warmupSeconds: numberFromEnv('SOAK_WARMUP_SECONDS', 30),
  concurrency: Math.round(numberFromEnv('SOAK_CONCURRENCY', 20)),
  graceMs: numberFromEnv('SOAK_GRACE_MS', 1000),
  redisPort: Math.round(numberFromEnv('SOAK_REDIS_PORT', 6379)),
  redis: process.env.SOAK_REDIS !== 'off',
  faults: process.env.SOAK_FAULTS !== 'off',
  /** A client-side bound far above anything the gateway may take (upstream timeout and retries). */
  requestTimeoutMs: 30_000,
  /** The gateway's bound on one upstream call: short, so that the latency fault also causes timeouts. */
  upstreamTimeoutMs: 2_000,
  /** Short-lived vendor tokens, so renewals happen during the run (some of them during faults). */
  vendorTokenTtlS: 30,
  maxMemoryGrowth: 0.1,
  /** Below this warm-up the gateway's RSS is still growing to its steady state when first read. */
  steadyMemoryAfterS: 25,
};

const ROOT = findProjectRoot(__dirname);
const CLIENT_ID = 'soak-client-id';
const API_KEY = 'soak-api-key';

function findProjectRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'main.ts'))) return dir;
  }
  throw new Error(`no project root above ${from}`);
}

// ---------------------------------------------------------------------------------------------
// Build and child processes

function newestModification(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const path = join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestModification(path) : statSync(path).mtimeMs);
  }, 0);
}

/** `npm run build` when dist/ is missing or older than a source file. */
function buildIfNeeded(): void {
  const outputs = ['dist/main.js', 'dist/emulator/main.js'].map((file) => join(ROOT, file));
  const builtAt = Math.min(...outputs.map((file) => (existsSync(file) ? statSync(file).mtimeMs : 0)));
  if (builtAt > newestModification(join(ROOT, 'src'))) return;
  console.log('soak: dist/ is missing or older than src/: npm run build');
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  /** Set once the process has exited: its exit code or signal. */
  exit?: string;
}

const children: Child[] = [];

/** Runs a built entry point with only the given environment; its output goes to a log file. */
function startChild(name: string, script: string, env: Record<string, string>): Child {
  const logFile = join(tmpdir(), `soak-${name}-${process.pid}.log`);
  // Straight into a file: a pipe drained by this (busy) process would hold the child's output in its memory.
  const log = openSync(logFile, 'w');
  const child: Child = {
    name,
    logFile,
    process: spawn(process.execPath, [join(ROOT, script)], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', log, log],
    }),
  };
  closeSync(log);
  child.process.once('exit', (code, signal) => (child.exit = signal ?? `code ${code}`));
  children.push(child);
  return child;
}

async function waitForStatus(url: string, status: number, child: Child, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exit) throw new Error(`${child.name} exited (${child.exit}) during start-up; see ${child.logFile}`);
    const answered = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then((r) => r.status, () => 0);
    if (answered === status) return;
    await sleep(200);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms; see ${child.logFile}`);
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with how long the process took to exit. */
async function stopChild(child: Child, graceMs = 15_000): Promise<number> {
  const started = Date.now();
  if (child.exit) return 0;
  const exited = new Promise<void>((resolve) => child.process.once('exit', () => resolve()));
  child.process.kill('SIGTERM');
  const killTimer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(killTimer);
  return Date.now() - started;
}

/** VmRSS of a running process, in bytes; undefined once it is gone. */
function residentMemoryBytes(pid: number): number | undefined {
  try {
    const kib = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB$/m)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

interface MemoryTrace {
  /** [time, bytes], two a second. */
  points: Array<[number, number]>;
  stop(): void;
}

function traceMemory(pid: number): MemoryTrace {
  const points: Array<[number, number]> = [];
  const read = () => {
    const bytes = residentMemoryBytes(pid);
    if (bytes !== undefined) points.push([Date.now(), bytes]);
  };
  read();
  const timer = setInterval(read, 500);
  return { points, stop: () => clearInterval(timer) };
}

/**
 * The lowest RSS sampled in [from, until): what is left after the collections of that span. RSS
 * swings with garbage collection by 70 MB and more under the oversized-answer fault (a sawtooth
 * of about 40 s), so two points of it, even medians of 5 s, said +22 % or -4 % of the same
 * gateway; a leak raises the floor.
 */
function floorMemory(points: Array<[number, number]>, from: number, until: number): number {
  const inSpan = points.filter(([time]) => time >= from && time < until).map(([, bytes]) => bytes);
  return inSpan.length === 0 ? Number.NaN : Math.min(...inSpan);
}

/** Median RSS over the 5 s before `until`. */
function medianMemory(points: Array<[number, number]>, until: number): number {
  const inWindow = points.filter(([time]) => time <= until && time > until - 5_000).map(([, bytes]) => bytes);
  const sorted = inWindow.sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)];
}

/** The gateway's own view of its memory, from GET /metrics (prom-client's default metrics), when it serves them. */
async function heapUsedBytes(): Promise<number | undefined> {
  const response = await fetch(`${gatewayUrl}/metrics`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const value = (await response.text()).match(/^\w*nodejs_heap_size_used_bytes (\S+)$/m)?.[1];
  return value === undefined ? undefined : Number(value);
}

/** The gateway's log lines at warn and above (pino JSON), counted by level and message. */
function summarizeLog(file: string): string[] {
  const LEVELS: Record<number, string> = { 40: 'warn', 50: 'error', 60: 'fatal' };
  const lines = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
  const keys = lines.map((line) => {
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string } };
      return `${LEVELS[entry.level ?? 0] ?? entry.level} ${entry.msg ?? ''}${entry.err?.type ? ` (${entry.err.type})` : ''}`;
    } catch {
      return `text ${line.slice(0, 100)}`;
    }
  });
  return [...countBy(keys, (key) => key)].sort(([, a], [, b]) => b - a).map(([key, n]) => `${n}× ${key}`);
}

// ---------------------------------------------------------------------------------------------
// Load: users, operations, one recorded sample per request

interface SoakUser {
  userId: string;
  tenantId?: string;
  /** Holds fe.secure.write.roles and fe.secure.delete.roles in its tenant. */
  admin: boolean;
  token?: string;
}

const USERS: SoakUser[] = [
  { userId: 'user-alice', admin: true },
  { userId: 'user-bob', admin: false },
  { userId: 'user-grace', admin: false },
  { userId: 'user-carol', admin: true },
  { userId: 'user-dave', admin: false },
  { userId: 'user-erin', admin: false },
  { userId: 'user-erin', tenantId: 'tenant-globex', admin: false },
];

interface Sample {
  route: string;
  start: number;
  end: number;
  /** 0: no answer (network error or client timeout). */
  status: number;
  retryAfter?: string;
  /** Problem detail of a 5xx, or the error of a lost request. */
  detail?: string;
}

const samples: Sample[] = [];
let gatewayUrl = '';
let sequence = 0;

/** Sends one request as `route` and records it; answers its status and, when successful, its body. */
async function send(route: string, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body?: string }> {
  const sample: Sample = { route, start: Date.now(), end: 0, status: 0 };
  let answer: string | undefined;
  try {
    const response = await fetch(`${gatewayUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(SETTINGS.requestTimeoutMs),
    });
    answer = await response.text();
    sample.status = response.status;
    if (response.status >= 500) {
      sample.retryAfter = response.headers.get('retry-after') ?? undefined;
      sample.detail = problemDetail(answer);
    }
  } catch (error) {
    sample.detail = describeError(error);
  }
  sample.end = Date.now();
  samples.push(sample);
  return { status: sample.status, body: sample.status < 300 ? answer : undefined };
}

function problemDetail(text: string): string {
  try {
    return String((JSON.parse(text) as { detail?: unknown }).detail ?? text.slice(0, 120));
  } catch {
    return text.slice(0, 120);
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause as { code?: string; message?: string } | undefined;
  return `${error.name}: ${cause?.code ?? cause?.message ?? error.message}`;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)];

const READS = [
  { route: 'GET /v1/me', path: '/v1/me', weight: 3 },
  { route: 'GET /v1/roles', path: '/v1/roles', weight: 3 },
  { route: 'GET /v1/permissions', path: '/v1/permissions', weight: 1 },
].flatMap((read) => Array<typeof read>(read.weight).fill(read));

async function read(user: SoakUser): Promise<void> {
  const { route, path } = pick(READS);
  await send(route, 'GET', path, user.token!);
}

async function updateOwnName(user: SoakUser): Promise<void> {
  await send('PATCH /v1/me', 'PATCH', '/v1/me', user.token!, { name: `Soak ${user.userId} ${++sequence}` });
}

function idOf(body: string | undefined): string | undefined {
  try {
    return (JSON.parse(body ?? '') as { id?: string }).id;
  } catch {
    return undefined;
  }
}

/** Creates a role in the admin's tenant, renames it and deletes it (as far as each step succeeds). */
async function roleLifecycle(user: SoakUser): Promise<void> {
  const key = `soak-${process.pid}-${++sequence}`;
  const created = await send('POST /v1/roles', 'POST', '/v1/roles', user.token!, { key, name: key, description: 'soak test role', level: 60 });
  const roleId = created.status === 201 ? idOf(created.body) : undefined;
  if (!roleId) return;
  await send('PATCH /v1/roles/{id}', 'PATCH', `/v1/roles/${encodeURIComponent(roleId)}`, user.token!, { name: `${key} renamed` });
  await send('DELETE /v1/roles/{id}', 'DELETE', `/v1/roles/${encodeURIComponent(roleId)}`, user.token!);
}

/** One step of one simulated user: mostly reads, some profile updates, role administration by admins. */
async function userStep(): Promise<void> {
  const user = pick(USERS);
  const dice = Math.random();
  if (dice < 0.8) return read(user);
  if (user.admin && dice < 0.92) return roleLifecycle(user);
  return updateOwnName(user);
}

async function runLoad(until: number): Promise<void> {
  const worker = async () => {
    while (Date.now() < until) await userStep();
  };
  await Promise.all(Array.from({ length: SETTINGS.concurrency }, worker));
}

async function mintTokens(control: EmulatorControlClient): Promise<void> {
  for (const user of USERS) {
    user.token = await control.mintToken({ userId: user.userId, tenantId: user.tenantId, expiresInSeconds: 3600 });
  }
}

// ---------------------------------------------------------------------------------------------
// Faults: each switched on, held, then cleared; its window recorded

/** What a fault can act on: the identity emulator, and the proxy between the gateway and Redis. */
interface FaultTargets {
  control: EmulatorControlClient;
  redis?: RedisProxy;
}

interface FaultScenario {
  name: string;
  describe: string;
  switchOn(targets: FaultTargets): Promise<void>;
  /** Besides clearing the emulator's faults. */
  switchOff?(targets: FaultTargets): Promise<void>;
  /** Only with these targets (the Redis faults need SOAK_REDIS). */
  needs?: 'redis';
  /** How long after clearing the gateway may still rightly answer 503 + Retry-After (an upstream reset time). */
  honouredAfterMs?: number;
}

interface FaultWindow {
  name: string;
  phase: 'warm-up' | 'run';
  on: number;
  off: number;
  honouredAfterMs: number;
}

const UPSTREAM = '/identity/resources/*';
const RATE_LIMIT_RESET_S = 2;

const inject = (control: EmulatorControlClient, ...faults: FaultSpec[]) =>
  faults.reduce((previous, fault) => previous.then(() => control.injectFault(fault).then(() => undefined)), Promise.resolve());

const ALL_SCENARIOS: FaultScenario[] = [
  {
    name: 'upstream-5xx-burst',
    describe: `every management call answers 503`,
    switchOn: ({ control }) => inject(control, { path: UPSTREAM, status: 503 }),
  },
  {
    name: 'upstream-429',
    describe: `every management call answers 429 with X-Rate-Limit-Reset now+${RATE_LIMIT_RESET_S}s`,
    switchOn: ({ control }) => inject(control, { path: UPSTREAM, status: 429, rateLimitResetSeconds: RATE_LIMIT_RESET_S }),
    honouredAfterMs: RATE_LIMIT_RESET_S * 1000,
  },
  {
    name: 'upstream-connection-drops',
    describe: 'the next 30 management calls lose their connection',
    switchOn: ({ control }) => inject(control, { path: UPSTREAM, dropConnection: true, count: 30 }),
  },
  {
    name: 'vendor-auth-failure',
    describe: 'POST /auth/vendor answers 503 and every vendor token is expired',
    switchOn: async ({ control }) => {
      await inject(control, { method: 'POST', path: '/auth/vendor', status: 503 });
      await control.expireVendorTokens();
    },
  },
  {
    name: 'jwks-outage',
    describe: 'GET /.well-known/jwks.json answers 503',
    switchOn: ({ control }) => inject(control, { method: 'GET', path: '/.well-known/jwks.json', status: 503 }),
  },
  {
    name: 'upstream-latency',
    describe: `management calls +400 ms; the first 10 role reads +${SETTINGS.upstreamTimeoutMs + 500} ms (over the gateway's timeout)`,
    switchOn: ({ control }) =>
      inject(
        control,
        { path: UPSTREAM, latencyMs: 400 },
        { method: 'GET', path: '/identity/resources/roles/v1', latencyMs: SETTINGS.upstreamTimeoutMs + 500, count: 10 },
      ),
  },
  {
    name: 'upstream-oversized',
    describe: `every management call answers 50 MiB (over UPSTREAM_MAX_RESPONSE_BYTES): 502, memory flat`,
    switchOn: ({ control }) => inject(control, { path: UPSTREAM, oversizedBodyBytes: 50 * 1024 * 1024 }),
  },
  {
    name: 'redis-silent',
    describe: `Redis accepts and never answers (over REDIS_COMMAND_TIMEOUT_MS): per-instance caches and limits`,
    needs: 'redis',
    switchOn: async ({ redis }) => redis!.silence(),
    switchOff: async ({ redis }) => redis!.pass(),
  },
];

const SCENARIOS = ALL_SCENARIOS.filter((scenario) => scenario.needs !== 'redis' || SETTINGS.redis);

const windows: FaultWindow[] = [];

/**
 * Spreads the scenarios over the run, one a slot: switched on early in even slots and late in odd
 * ones (for 3/10 of the slot). With the default run the slots last 10 s, as long as the gateway's
 * breaker stays open; alternating keeps the breaker's trial call, 10 s after a fault opened it, out
 * of the next fault, so each fault and the recovery after it show on their own. Scenarios that
 * open the breaker are followed by ones it does not hide (429 is not counted, JWKS is not behind it).
 */
async function runFaults(targets: FaultTargets, phase: FaultWindow['phase'], startAt: number, runMs: number): Promise<void> {
  const slotMs = runMs / SCENARIOS.length;
  for (const [index, scenario] of SCENARIOS.entries()) {
    const onAt = startAt + (index + (index % 2 === 0 ? 0.1 : 0.5)) * slotMs;
    await sleep(Math.max(0, onAt - Date.now()));
    const on = Date.now();
    await scenario.switchOn(targets);
    await sleep(Math.max(0, onAt + 0.3 * slotMs - Date.now()));
    await targets.control.clearFaults();
    await scenario.switchOff?.(targets);
    windows.push({ name: scenario.name, phase, on, off: Date.now(), honouredAfterMs: scenario.honouredAfterMs ?? 0 });
  }
}

// ---------------------------------------------------------------------------------------------
// Verdict

type Explanation = 'in-window' | 'breaker-or-reset' | 'unexpected';

/**
 * A 5xx is explained when its request overlapped a fault window (plus the grace). A 503 with
 * Retry-After shortly after a window is the breaker still open (BREAKER_OPEN_MS) or an upstream
 * reset time being honoured: reported apart, not a failure. Anything else is unexpected.
 */
function explain(sample: Sample): Explanation {
  if (windows.some((window) => sample.start <= window.off + SETTINGS.graceMs && sample.end >= window.on)) return 'in-window';
  const lingering = windows.some(
    (window) => sample.start >= window.on && sample.start <= window.off + Math.max(BREAKER_OPEN_MS, window.honouredAfterMs) + SETTINGS.graceMs,
  );
  if (sample.status === 503 && sample.retryAfter !== undefined && lingering) return 'breaker-or-reset';
  return 'unexpected';
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return new Map([...counts].sort(([a], [b]) => a.localeCompare(b)));
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const at = (time: number, zero: number) => `${time < zero ? '-' : '+'}${(Math.abs(time - zero) / 1000).toFixed(1)}s`;
const statusClass = (status: number) => (status === 0 ? 'lost' : `${Math.floor(status / 100)}xx`);

function printWindows(zero: number): void {
  const warmup = windows.filter((window) => window.phase === 'warm-up');
  if (warmup.length > 0) console.log(`\nwarm-up: the same faults, ${warmup.length} windows compressed into ${SETTINGS.warmupSeconds} s`);
  console.log('\nfault windows (times from the start of the measured run):');
  for (const window of windows.filter((candidate) => candidate.phase === 'run')) {
    const scenario = SCENARIOS.find((candidate) => candidate.name === window.name)!;
    const during = samples.filter((sample) => sample.start <= window.off + SETTINGS.graceMs && sample.end >= window.on);
    const statuses = [...countBy(during, (sample) => String(sample.status))].map(([status, n]) => `${status}×${n}`).join(' ');
    console.log(`  ${at(window.on, zero).padStart(7)} → ${at(window.off, zero).padEnd(7)} ${window.name.padEnd(26)} ${scenario.describe}`);
    console.log(`  ${''.padStart(19)}${during.length} requests overlapping: ${statuses}`);
  }
}

/** One character a second: `^` while a fault is on; `.` no 5xx, `1`-`9` tenths of the answers 5xx, `#` (nearly) all. */
function printTimeline(zero: number, runMs: number): void {
  const faults: string[] = [];
  const failures: string[] = [];
  for (let from = zero; from < zero + runMs; from += 1000) {
    const to = from + 1000;
    faults.push(windows.some((window) => window.phase === 'run' && window.on < to && window.off > from) ? '^' : ' ');
    const answered = samples.filter((sample) => sample.end >= from && sample.end < to);
    const share = answered.filter((sample) => sample.status >= 500 || sample.status === 0).length / Math.max(1, answered.length);
    failures.push(answered.length === 0 ? ' ' : share === 0 ? '.' : share >= 0.95 ? '#' : String(Math.max(1, Math.round(share * 10))));
  }
  const ruler = faults.map((_, second) => (second % 10 === 0 ? String(second / 10 % 10) : ' ')).join('');
  console.log('\ntimeline, one character a second (ruler in tens of seconds):');
  console.log(`  ruler   ${ruler}`);
  console.log(`  faults  ${faults.join('')}`);
  console.log(`  5xx     ${failures.join('')}`);
}

function printAnswers(warmupCount: number): void {
  console.log(`\nanswers: ${samples.length} requests (${warmupCount} of them during warm-up)`);
  console.log(`  by class:  ${[...countBy(samples, (sample) => statusClass(sample.status))].map(([c, n]) => `${c} ${n}`).join(', ')}`);
  console.log(`  by status: ${[...countBy(samples, (sample) => String(sample.status))].map(([s, n]) => `${s}×${n}`).join(' ')}`);
  console.log('  by route:');
  for (const [route] of countBy(samples, (sample) => sample.route)) {
    const ofRoute = samples.filter((sample) => sample.route === route);
    const durations = ofRoute.map((sample) => sample.end - sample.start).sort((a, b) => a - b);
    const statuses = [...countBy(ofRoute, (sample) => String(sample.status))].map(([s, n]) => `${s}×${n}`).join(' ');
    console.log(
      `    ${route.padEnd(24)} n=${String(ofRoute.length).padEnd(6)} p50=${percentile(durations, 50)}ms p99=${percentile(durations, 99)}ms max=${durations.at(-1)}ms  ${statuses}`,
    );
  }
}

function printGroup(title: string, group: Sample[], zero: number): void {
  console.log(`  ${title}: ${group.length}`);
  for (const [what, n] of countBy(group, (sample) => `${sample.status} ${sample.route}: ${sample.detail ?? ''}`)) {
    const first = group.find((sample) => `${sample.status} ${sample.route}: ${sample.detail ?? ''}` === what)!;
    console.log(`    ${n}× ${what} (first at ${at(first.start, zero)})`);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

/** The load for `ms`, with the fault cycle spread over it (unless SOAK_FAULTS=off). */
async function runPhase(targets: FaultTargets, phase: FaultWindow['phase'], ms: number): Promise<void> {
  const start = Date.now();
  await Promise.all([runLoad(start + ms), SETTINGS.faults ? runFaults(targets, phase, start, ms) : undefined]);
  await targets.control.clearFaults();
  targets.redis?.pass();
}

interface Stack {
  emulatorUrl: string;
  emulator: Child;
  gateway: Child;
  targets: FaultTargets;
}

/** A proxy in front of the machine's Redis (a random database of it), so that a fault can silence it. */
async function startRedis(): Promise<{ proxy: RedisProxy; url: string }> {
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = createConnection(SETTINGS.redisPort, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  if (!reachable) {
    throw new Error(`no Redis on 127.0.0.1:${SETTINGS.redisPort}: start one (redis-server --daemonize yes --save "" --appendonly no), set SOAK_REDIS_PORT, or SOAK_REDIS=off`);
  }
  const proxy = await startRedisProxy(SETTINGS.redisPort);
  return { proxy, url: `redis://127.0.0.1:${proxy.port}/${1 + Math.floor(Math.random() * 15)}` };
}

/** The emulator, then the built gateway pointed at it, both ready to serve. */
async function startStack(): Promise<Stack> {
  const redis = SETTINGS.redis ? await startRedis() : undefined;
  const emulatorPort = await freePort();
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const emulator = startChild('emulator', 'dist/emulator/main.js', {
    EMULATOR_HOST: '127.0.0.1',
    EMULATOR_PORT: String(emulatorPort),
    EMULATOR_PUBLIC_URL: emulatorUrl,
    EMULATOR_CLIENT_ID: CLIENT_ID,
    EMULATOR_API_KEY: API_KEY,
    EMULATOR_VENDOR_TOKEN_TTL_S: String(SETTINGS.vendorTokenTtlS),
  });
  await waitForStatus(`${emulatorUrl}/.well-known/jwks.json`, 200, emulator);

  const gatewayPort = await freePort();
  gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const gateway = startChild('gateway', 'dist/main.js', {
    NODE_ENV: 'production',
    FRONTEGG_ALLOW_HTTP: 'true',
    HOST: '127.0.0.1',
    PORT: String(gatewayPort),
    FRONTEGG_API_URL: emulatorUrl,
    FRONTEGG_APP_URL: emulatorUrl,
    FRONTEGG_CLIENT_ID: CLIENT_ID,
    FRONTEGG_API_KEY: API_KEY,
    FRONTEGG_AUDIENCE: CLIENT_ID,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '1000000',
    UPSTREAM_TIMEOUT_MS: String(SETTINGS.upstreamTimeoutMs),
    ...(redis ? { REDIS_URL: redis.url } : {}),
  });
  await waitForStatus(`${gatewayUrl}/health/ready`, 200, gateway);
  return { emulatorUrl, emulator, gateway, targets: { control: new EmulatorControlClient(emulatorUrl), redis: redis?.proxy } };
}

/** Prints what happened and answers the reasons to fail (none: pass). */
function report(zero: number, runMs: number, warmupCount: number, memory: Array<[number, number]>, heap: Array<number | undefined>): string[] {
  printWindows(zero);
  printTimeline(zero, runMs);
  printAnswers(warmupCount);

  // Warm-up requests count too: their faults are windows like the run's.
  const lost = samples.filter((sample) => sample.status === 0);
  const explained = (kind: Explanation) => samples.filter((sample) => sample.status >= 500 && explain(sample) === kind);
  const unexpected = explained('unexpected');
  console.log('\nfindings:');
  printGroup('requests lost (no answer from the gateway)', lost, zero);
  printGroup(`5xx during a fault window (+${SETTINGS.graceMs} ms grace)`, explained('in-window'), zero);
  printGroup(`503 + Retry-After within the breaker's ${BREAKER_OPEN_MS} ms (or an upstream reset) after a window`, explained('breaker-or-reset'), zero);
  printGroup('unexpected 5xx (no fault explains them)', unexpected, zero);
  printGroup('401 or 429 (tokens are valid, the rate limit out of reach: none expected)', samples.filter((sample) => [401, 429].includes(sample.status)), zero);

  const [start, end] = [floorMemory(memory, zero, zero + runMs / 2), floorMemory(memory, zero + runMs / 2, zero + runMs + 1)];
  const growth = end / start - 1;
  const during = memory.filter(([time]) => time >= zero);
  const step = Math.max(1, Math.round(during.length / 6));
  const trace = during.filter((_, index) => index % step === 0 || index === during.length - 1).map(([time, bytes]) => `${at(time, zero)} ${mib(bytes)}`);
  console.log(
    `\nresident memory of the gateway (VmRSS, lowest sample of each half of the run): first half ${mib(start)}, second half ${mib(end)} ` +
      `(${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)} %), peak ${mib(Math.max(...during.map(([, bytes]) => bytes)))}; ` +
      `medians of 5 s at the start ${mib(medianMemory(memory, zero))} and end ${mib(medianMemory(memory, zero + runMs))}`,
  );
  console.log(`  ${trace.join(' | ')}`);
  if (SETTINGS.warmupSeconds < SETTINGS.steadyMemoryAfterS) {
    console.log(`  (a warm-up under ${SETTINGS.steadyMemoryAfterS} s reads memory before it is steady: growth is expected)`);
  }
  if (heap[0] !== undefined && heap[1] !== undefined) console.log(`  V8 heap in use (GET /metrics, garbage not yet collected included): start ${mib(heap[0])}, end ${mib(heap[1])}`);

  return [
    lost.length > 0 && `${lost.length} requests lost`,
    unexpected.length > 0 && `${unexpected.length} unexpected 5xx`,
    !(growth <= SETTINGS.maxMemoryGrowth) && `the floor of resident memory grew ${(growth * 100).toFixed(1)} % (more than ${SETTINGS.maxMemoryGrowth * 100} %)`,
  ].filter((reason): reason is string => typeof reason === 'string');
}

async function main(): Promise<void> {
  buildIfNeeded();
  const { emulatorUrl, emulator, gateway, targets } = await startStack();
  await mintTokens(targets.control);
  const pid = gateway.process.pid!;
  console.log(
    `soak: ${SETTINGS.seconds} s (after ${SETTINGS.warmupSeconds} s warm-up), ${SETTINGS.concurrency} in flight, ` +
      `${USERS.length} users; gateway pid ${pid} at ${gatewayUrl} (${targets.redis ? `Redis on :${SETTINGS.redisPort} behind a proxy` : 'in-memory'}), emulator at ${emulatorUrl}`,
  );

  const memory = traceMemory(pid);
  await runPhase(targets, 'warm-up', SETTINGS.warmupSeconds * 1000);
  const warmupCount = samples.length;
  const heapAtStart = await heapUsedBytes();
  const zero = Date.now();
  const runMs = SETTINGS.seconds * 1000;
  await runPhase(targets, 'run', runMs);
  memory.stop();
  const died = gateway.exit;
  const heapAtEnd = await heapUsedBytes();

  const failures = report(zero, runMs, warmupCount, memory.points, [heapAtStart, heapAtEnd]);
  if (died) failures.push(`the gateway exited during the run (${died})`);
  const stopMs = await stopChild(gateway);
  await stopChild(emulator);
  await targets.redis?.close();
  console.log(`\ngateway stopped ${stopMs} ms after SIGTERM (${gateway.exit}); its log lines at warn and above:`);
  for (const line of summarizeLog(gateway.logFile).slice(0, 8)) console.log(`  ${line}`);
  console.log(`  (logs: ${gateway.logFile}, ${emulator.logFile})`);

  console.log(failures.length === 0 ? '\nsoak: PASS' : `\nsoak: FAIL: ${failures.join('; ')}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

async function stopAll(): Promise<void> {
  await Promise.all(children.map((child) => stopChild(child, 5_000)));
}

process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));

main().catch(async (error: unknown) => {
  console.error(`soak: ${error instanceof Error ? error.message : String(error)}`);
  await stopAll();
  process.exit(2);
});
