/**
 * `npm run bench -- --instructions[=B,D,...]`: instructions per request, counted by valgrind's callgrind, which counts
 * what the CPU executes rather than the time it takes, so the figure is the same whatever else the two shared cores are
 * doing (issue 23: wall-clock runs could not separate one feature's few microseconds from this machine's noise).
 *
 * Each configuration runs as its own server under callgrind, the load generator outside it, requests one at a time
 * over one keep-alive connection, each cycling through the scenario's 1,000 users as the wall-clock bench does. The
 * server is warmed up uninstrumented (with full collections in the first half, see steady-state.ts), instrumentation
 * is switched on, a settling slice is sent, then for each window the counters are zeroed (`callgrind_control -z`),
 * WINDOW requests are sent and the counters dumped (`-d`). A window in which V8 collected its old generation, or
 * compiled again afterwards, is measured again after another settling slice. Why each step: docs/performance.md.
 *
 * Configurations: the scenarios A, F, B, C, G, D of `npm run bench`, B with ENTITLEMENTS=on, and B and D with each
 * request-path feature switched off through bench/switch-off.ts (a preload), one at a time. Results:
 * bench/results/instructions.{json,md}. Needs valgrind (Debian's package) on PATH.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { callgrindCosts } from './callgrind-dump';
import { API_KEY, CLIENT_ID } from './fixtures';
import type { HttpRequestSpec } from './load';
import { forkServer, httpSend, sleep, stop, stopAll, type Launcher, type ServerProcess } from './processes';
import { profileWrites, rolesReads, upstreamUserWrites } from './scenarios';
import { RESULTS_DIR, gatewayRevision, startGatewayFor, startWorld, type World } from './world';

const WARMUP = Number(process.env.BENCH_INSTRUCTIONS_WARMUP ?? 10_000);
const WINDOW = Number(process.env.BENCH_INSTRUCTIONS_WINDOW ?? 1000);
const WINDOWS = Number(process.env.BENCH_INSTRUCTIONS_WINDOWS ?? 3);
const SETTLE = 500;
/** How many windows may be measured again because a full collection fell in them, before one is kept anyway. */
const MAX_REDONE = 6;
const FULL_COLLECTION = /^v8::internal::(Heap::MarkCompact|IncrementalMarking::(Start|Step|AdvanceAndFinalizeIfComplete|AdvanceOnAllocation))\(/;
/** V8's optimizing compilers' own functions. */
const COMPILER = /^v8::internal::(compiler|maglev|baseline)::/;
/** A window that spends more than this share compiling is one in which V8 compiled again (after a collection). */
const MAX_COMPILING_SHARE = 0.01;
const FULL_COLLECTIONS = 10;
const SLOWDOWN = 50;
const KEEP_DUMPS_IN = process.env.BENCH_INSTRUCTIONS_KEEP;
/**
 * Requests in flight at once (1 by default), each sender on its own keep-alive socket. `npm run bench` loads servers
 * with 50 connections; 16 here gave F and B the same counts as one at a time (docs/performance.md), so a turn of the
 * event loop shared by many requests does not change what each costs.
 */
const CONNECTIONS = Number(process.env.BENCH_INSTRUCTIONS_CONNECTIONS ?? 1);
/**
 * V8 schedules some work by the clock or on other threads: garbage collection when idle or to shrink memory, and
 * compilation in the background. Under callgrind, every second of wall clock holds ~50 times fewer requests, so that
 * work lands in one window and not the other. These flags make its schedule follow allocation alone, on the main
 * thread, so that two windows count the same work (every configuration gets them, the ceilings too).
 */
const V8_FLAGS = (process.env.BENCH_INSTRUCTIONS_NODE_FLAGS ?? '--single-threaded --predictable-gc-schedule').split(' ').filter(Boolean);
/** The features bench/switch-off.ts can take out of a gateway, each measured on its own. */
const FEATURES = ['access-log', 'ids', 'helmet', 'rate-limit', 'metrics', 'on-send', 'digest', 'validation'] as const;

const log = (message: string) => console.log(`[instructions] ${message}`);

interface Configuration {
  id: string;
  title: string;
  start: (launcher: Launcher) => Promise<ServerProcess>;
  /** What to send, once the server is up (a stand-in hands out its own vendor tokens). */
  requests: (server: ServerProcess) => Promise<HttpRequestSpec[]>;
}

export interface InstructionsResult {
  id: string;
  title: string;
  /** Instructions per request in each measured window. */
  windows: number[];
  perRequest: number;
  /** Windows measured again because V8 collected its old generation or compiled in them (instructions per request). */
  redone: number[];
}

/** Where valgrind puts its control pipes for one server, so that they are removed with its dumps. */
const vgdbPrefix = (outFile: string) => `${outFile}.vgdb`;

function callgrind(outFile: string): Launcher {
  const version = spawnSync('valgrind', ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) throw new Error('valgrind is not installed: `apt-get install valgrind` (the --instructions bench counts with its callgrind tool)');
  // --smc-check=all-non-file: V8 writes and rewrites machine code in anonymous memory; callgrind must notice.
  return { command: 'valgrind', args: ['-q', '--tool=callgrind', `--callgrind-out-file=${outFile}`, `--vgdb-prefix=${vgdbPrefix(outFile)}`, '--smc-check=all-non-file', '--dump-line=no', '--compress-strings=no', '--instr-atstart=no'], slowdown: SLOWDOWN,
    // The server's own clock slowed as much as callgrind slows the server (see slow-clock.ts).
    nodeFlags: [...V8_FLAGS, '--require', join(__dirname, 'slow-clock.js'), '--expose-gc', '--require', join(__dirname, 'steady-state.js')],
    env: { BENCH_CLOCK_SLOWDOWN: String(SLOWDOWN) },
  };
}

/**
 * Sends `count` requests one after another over `connection` (one keep-alive socket; CONNECTIONS of them, each with
 * its share, when more are in flight), cycling through `requests`.
 * Warm-up and windows share that socket: a new one made V8 throw away code it had optimized for the old socket's
 * object shapes ("wrong map" deoptimizations of Node's stream and HTTP code) and compile it again, inside the window.
 */
async function send(baseUrl: string, connection: Agent, requests: HttpRequestSpec[], count: number, offset: number): Promise<void> {
  if (CONNECTIONS > 1) {
    // CONNECTIONS senders, each one request at a time on its own socket of the agent, dealing out the count between them.
    const share = (sender: number) => Math.floor(count / CONNECTIONS) + (sender < count % CONNECTIONS ? 1 : 0);
    let start = offset;
    const senders = Array.from({ length: CONNECTIONS }, (_, sender) => {
      const from = start;
      start += share(sender);
      return sendOneByOne(baseUrl, connection, requests, share(sender), from);
    });
    await Promise.all(senders);
    return;
  }
  return sendOneByOne(baseUrl, connection, requests, count, offset);
}

async function sendOneByOne(baseUrl: string, connection: Agent, requests: HttpRequestSpec[], count: number, offset: number): Promise<void> {
  const url = new URL(baseUrl);
  for (let i = 0; i < count; i++) {
    const spec = requests[(offset + i) % requests.length];
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: spec.method, path: spec.path, headers: spec.headers, agent: connection }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.setTimeout(60_000, () => req.destroy(new Error(`${spec.method} ${spec.path} timed out under callgrind`)));
      req.end(spec.body);
    });
    if (status < 200 || status >= 300) throw new Error(`${spec.method} ${spec.path} answered ${status}: a configuration must answer every request with 2xx`);
  }
}

/**
 * Callgrind's dump number `dumpNumber` (`outFile.1`, `outFile.2`, ...): its total, whether V8 ran a full collection (or
 * began its incremental marking) inside it, and the instructions spent in V8's compilers (a dump names only the
 * functions that ran since the counters were zeroed). callgrind writes a dump when its guest next runs, after
 * `callgrind_control -d` has returned, and a large one takes a while: it is read once complete (the totals line is its
 * last).
 */
async function readDump(outFile: string, dumpNumber: number): Promise<{ total: number; fullCollection: boolean; compiling: number }> {
  const file = `${outFile}.${dumpNumber}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    const { total, own } = callgrindCosts(existsSync(file) ? readFileSync(file, 'utf8') : '');
    if (total !== undefined) {
      const names = [...own.keys()];
      const compiling = names.filter((name) => COMPILER.test(name)).reduce((sum, name) => sum + own.get(name)!, 0);
      return { total, fullCollection: names.some((name) => FULL_COLLECTION.test(name)), compiling };
    }
    if (Date.now() > deadline) throw new Error(`callgrind wrote no complete ${file} within 2 minutes (the folder holds: ${readdirSync(dirname(file)).join(', ')})`);
    await sleep(200);
  }
}

/** callgrind_control's command (`-z` zero the counters, `-d` dump them) to the server; it says OK when delivered. */
function control(command: '-z' | '-d' | '-i', pid: string, outFile: string): void {
  // valgrind names those pipes after the server's USER and HOST (the gateway's HOST is its listening address), and
  // callgrind_control looks for them under its own: it gets the server's, or it reaches the server but nothing happens.
  const serverEnvironment = Object.fromEntries(
    readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
  );
  const { USER: _user, LOGNAME: _logname, HOST: _host, ...ours } = process.env;
  const env = { ...ours, ...(serverEnvironment.USER ? { USER: serverEnvironment.USER } : {}), ...(serverEnvironment.HOST ? { HOST: serverEnvironment.HOST } : {}) };
  const answer = execFileSync('callgrind_control', [`--vgdb-prefix=${vgdbPrefix(outFile)}`, ...(command === '-i' ? ['-i', 'on'] : [command]), pid], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (!/\bOK\b/.test(answer)) throw new Error(`callgrind_control ${command} ${pid} did not reach the server: ${answer.trim()}`);
}

async function measure(configuration: Configuration, folder: string): Promise<InstructionsResult> {
  const outFile = join(folder, `${configuration.id.replace(/\W+/g, '-')}.callgrind`);
  log(`${configuration.id}: ${configuration.title} — starting under callgrind`);
  const server = await configuration.start(callgrind(outFile));
  const pid = String(server.child.pid);
  const connection = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const requests = await configuration.requests(server);
    // Warm-up: its first half in slices with a full collection after each, so that the server is measured as after
    // hours of traffic (see steady-state.ts); its second half straight, for V8 to compile again what they changed.
    const slice = Math.floor(WARMUP / 2 / FULL_COLLECTIONS);
    for (let collection = 0; collection < FULL_COLLECTIONS; collection++) {
      await send(server.url, connection, requests, slice, collection * slice);
      process.kill(server.child.pid!, 'SIGWINCH');
      await sleep(200);
    }
    await send(server.url, connection, requests, WARMUP - FULL_COLLECTIONS * slice, FULL_COLLECTIONS * slice);
    control('-i', pid, outFile);
    // The first requests counted after that still cost a few percent more, whatever the warm-up's length: not counted.
    await send(server.url, connection, requests, SETTLE, WARMUP);
    const windows: number[] = [];
    const redone: number[] = [];
    let sent = WARMUP + SETTLE;
    for (let dump = 1; windows.length < WINDOWS; dump++) {
      control('-z', pid, outFile);
      await send(server.url, connection, requests, WINDOW, sent);
      sent += WINDOW;
      control('-d', pid, outFile);
      const window = await readDump(outFile, dump);
      const perRequest = Math.round(window.total / WINDOW);
      log(`${configuration.id}: window ${dump}: ${perRequest.toLocaleString('en')} instructions per request, ${((window.compiling / window.total) * 100).toFixed(2)} % compiling${window.fullCollection ? ', a full collection' : ''}`);
      if ((window.fullCollection || window.compiling / window.total > MAX_COMPILING_SHARE) && redone.length < MAX_REDONE) {
        // V8 collected its old generation (or began marking it) in this window, or compiled again what a collection
        // threw away: such a window counts up to a third more. Another is measured instead, after a settling slice.
        redone.push(perRequest);
        await send(server.url, connection, requests, SETTLE, sent);
        sent += SETTLE;
        continue;
      }
      if (window.fullCollection || window.compiling / window.total > MAX_COMPILING_SHARE) log(`${configuration.id}: window ${dump} kept although V8 collected or compiled in it: ${MAX_REDONE} windows were measured again already (a longer BENCH_INSTRUCTIONS_WARMUP may help)`);
      windows.push(perRequest);
    }
    if (redone.length > 0) log(`${configuration.id}: ${redone.length} window(s) measured again (${redone.map((w) => w.toLocaleString('en')).join(' / ')})`);
    // The median window: a full collection in one window (and V8 compiling again what it changed) is left out.
    const perRequest = [...windows].sort((a, b) => a - b)[Math.floor(windows.length / 2)];
    log(`${configuration.id}: ${perRequest.toLocaleString('en')} instructions per request (windows ${windows.map((w) => w.toLocaleString('en')).join(' / ')})`);
    return { id: configuration.id, title: configuration.title, windows, perRequest, redone };
  } finally {
    connection.destroy();
    await stop(server);
    // BENCH_INSTRUCTIONS_KEEP=folder keeps each window's dump there, for callgrind_annotate (where do they differ?).
    for (const file of readdirSync(folder).filter((name) => name.startsWith(outFile.slice(folder.length + 1)))) {
      if (KEEP_DUMPS_IN && /\.callgrind\.\d+$/.test(file)) copyFileSync(join(folder, file), join(KEEP_DUMPS_IN, file));
      rmSync(join(folder, file));
    }
  }
}

function configurations(world: World): Configuration[] {
  const reads = async () => rolesReads(world.userTokens);
  const writes = async () => profileWrites(world.userTokens);
  const callers = { BENCH_CALLERS_FILE: world.callersFile };
  const switchOff = join(__dirname, 'switch-off.js');
  const gatewayWithout = (feature: string) => (launcher: Launcher) =>
    startGatewayFor(world, 'info', `instructions-${feature}`, [], { launcher, env: { NODE_OPTIONS: `--require ${switchOff}`, BENCH_OFF: feature } });
  return [
    { id: 'A', title: 'bare node:http, the roles JSON', requests: reads, start: (launcher) => forkServer('ceiling', 'bare-roles', {}, [], launcher) },
    { id: 'F', title: 'minimal NestJS-Fastify, one guard, GET /v1/roles', requests: reads, start: (launcher) => forkServer('nest-roles', 'nest-roles', callers, [], launcher) },
    { id: 'B', title: 'gateway cached read: GET /v1/roles', requests: reads, start: (launcher) => startGatewayFor(world, 'info', 'instructions-B', [], { launcher }) },
    {
      id: 'C',
      title: 'stand-in upstream: PUT users/v1 direct',
      // A stand-in of its own, under callgrind; it hands out its own vendor token.
      start: (launcher) => forkServer('stand-in (measured)', 'stand-in', world.standInEnvironment, [], launcher),
      requests: async (server) => upstreamUserWrites(await vendorTokenOf(server)),
    },
    {
      id: 'G',
      title: 'minimal NestJS-Fastify forwarding PATCH /v1/me over undici',
      requests: writes,
      start: (launcher) => forkServer('nest-proxy', 'nest-proxy', { ...callers, BENCH_UPSTREAM_URL: world.standIn.url, BENCH_CLIENT_ID: CLIENT_ID, BENCH_API_KEY: API_KEY }, [], launcher),
    },
    { id: 'D', title: 'gateway proxied write: PATCH /v1/me', requests: writes, start: (launcher) => startGatewayFor(world, 'info', 'instructions-D', [], { launcher }) },
    {
      id: 'B +entitlements',
      title: 'B with ENTITLEMENTS=on (the stand-in\'s snapshot: BENCH_ENTITLEMENTS_TUPLES, 100,000 by default)',
      requests: reads,
      start: (launcher) => startGatewayFor(world, 'info', 'instructions-entitlements', [], { launcher, env: { ENTITLEMENTS: 'on' } }),
    },
    ...FEATURES.flatMap((feature) => [
      { id: `B -${feature}`, title: `B without ${feature}`, requests: reads, start: gatewayWithout(feature) },
      { id: `D -${feature}`, title: `D without ${feature}`, requests: writes, start: gatewayWithout(feature) },
    ]),
  ];
}

async function vendorTokenOf(standIn: ServerProcess): Promise<string> {
  const vendor = await httpSend('POST', `${standIn.url}/auth/vendor`, { 'content-type': 'application/json' }, JSON.stringify({ clientId: CLIENT_ID, secret: API_KEY }));
  if (vendor.status !== 200) throw new Error(`the measured stand-in refused the vendor credentials (${vendor.status})`);
  return (JSON.parse(vendor.body) as { token: string }).token;
}

function formatTable(results: InstructionsResult[], revision: string): string {
  const byId = new Map(results.map((result) => [result.id, result.perRequest]));
  const row = (result: InstructionsResult) => {
    // A feature switched off (`B -x`) costs B minus it; one switched on (`B +x`) costs it minus B.
    const base = /^[BD] [-+]/.test(result.id) ? byId.get(result.id[0]) : undefined;
    const cost = base === undefined ? 0 : result.id[2] === '-' ? base - result.perRequest : result.perRequest - base;
    const saved = base === undefined ? '' : `${cost.toLocaleString('en')} (${((cost / base) * 100).toFixed(1)} %)`;
    const spread = `${(((Math.max(...result.windows) - Math.min(...result.windows)) / result.perRequest) * 100).toFixed(2)} %`;
    return `| ${result.id} | ${result.title} | ${result.perRequest.toLocaleString('en')} | ${spread} | ${saved} |`;
  };
  const ratio = (a: string, b: string) => (byId.has(a) && byId.has(b) ? `${a}/${b} = ${(byId.get(a)! / byId.get(b)!).toFixed(2)}` : undefined);
  return [
    `Instructions per request (callgrind; ${WARMUP} warm-up requests, then ${WINDOWS} windows of ${WINDOW} without a full collection or compiling in them; ${CONNECTIONS} in flight at once), gateway ${revision}.`,
    '',
    '| configuration | what | instructions per request | windows differ by | the feature costs |',
    '| --- | --- | ---: | ---: | ---: |',
    ...results.map(row),
    '',
    [ratio('B', 'F'), ratio('D', 'G'), ratio('B', 'A')].filter(Boolean).map((r) => `${r} (instructions; the inverse of a throughput ratio)`).join('; '),
    '',
  ].join('\n');
}

/** `wanted`: configuration ids (`B`, `D -helmet`, ...), or all when empty. */
export async function runInstructions(wanted: string[]): Promise<number> {
  const revision = gatewayRevision();
  const world = await startWorld();
  const folder = mkdtempSync(join(tmpdir(), 'gateway-instructions-'));
  if (KEEP_DUMPS_IN) mkdirSync(KEEP_DUMPS_IN, { recursive: true });
  const results: InstructionsResult[] = [];
  try {
    const chosen = configurations(world).filter((c) => wanted.length === 0 || wanted.includes(c.id));
    if (chosen.length === 0) throw new Error(`no configuration matches ${wanted.join(', ')}`);
    for (const configuration of chosen) {
      results.push(await measure(configuration, folder));
      // Written after each configuration: a full run takes about an hour.
      writeResults(results, revision);
    }
  } finally {
    await stopAll();
    rmSync(folder, { recursive: true, force: true });
  }
  console.log(`\n${formatTable(results, revision)}`);
  return 0;
}

function writeResults(results: InstructionsResult[], revision: string): void {
  writeFileSync(join(RESULTS_DIR, 'instructions.json'), `${JSON.stringify({ generatedAt: new Date().toISOString(), gateway: revision, warmup: WARMUP, window: WINDOW, results }, null, 2)}\n`);
  writeFileSync(join(RESULTS_DIR, 'instructions.md'), formatTable(results, revision));
}
