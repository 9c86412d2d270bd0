/**
 * Paired comparison of gateway builds, for per-change figures (issue 14): starts the stand-in,
 * this checkout's gateway and the others named, then loads B (cached GET /v1/roles) and D
 * (PATCH /v1/me) on each in alternating slices, as `npm run bench` does with its ceilings, and
 * prints each one's requests/s and server CPU µs per request (medians over slices).
 *
 *   node bench/dist/bench/compare.js [name=dir[:ENV=value,...]] ...
 *
 * `dir` is another checkout with a built dist/main.js ('.' for this one); the ENV list is added to
 * that gateway's environment, except OFF=feature+feature, which switches those features off (see
 * switch-off.ts), and LIB=variant+variant, which runs libraries in place of hand-written pieces (see
 * library-variants.ts), and FLAGS=flag+flag, node flags for that gateway. Settings: BENCH_DURATION (s per scenario, default 12), BENCH_CONNECTIONS,
 * BENCH_WARMUP (s per scenario and gateway, in slices with a full collection after each), BENCH_SCENARIOS (default B,D).
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CLIENT_ID, API_KEY } from './fixtures';
import { loadTest, type HttpRequestSpec } from './load';
import { cpuSeconds, startGateway, stopAll, type ServerProcess } from './processes';
import { profileWrites, rolesReads } from './scenarios';
import { prepareGateway, RESULTS_DIR, ROOT, startWorld } from './world';

const SLICE_S = 2;
const FULL_COLLECTIONS = 10;
const STEADY_STATE_FLAGS = ['--expose-gc', '--require', join(__dirname, 'steady-state.js')];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main(): Promise<void> {
  const durationS = Number(process.env.BENCH_DURATION ?? 12);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
  const warmupS = Number(process.env.BENCH_WARMUP ?? 2);
  const wanted = (process.env.BENCH_SCENARIOS ?? 'B,D').split(',');
  const specs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['this=.'];
  prepareGateway();
  const world = await startWorld();
  const gateways: { name: string; server: ServerProcess }[] = [];
  for (const spec of specs) {
    const [name, rest] = [spec.slice(0, spec.indexOf('=')), spec.slice(spec.indexOf('=') + 1)];
    const [dir, envList] = rest.split(/:(.*)/s, 2);
    const root = dir === '.' ? ROOT : resolve(dir);
    const main = dir === '.' ? join(ROOT, 'bench', 'dist', 'gateway', 'main.js') : join(root, 'dist', 'main.js');
    // `OFF=a+b` switches features off through switch-off.ts (a preload), for measuring what they cost.
    const extra = Object.fromEntries((envList ?? '').split(',').filter(Boolean).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
    // `LIB=a+b` runs libraries in place of hand-written pieces through library-variants.ts (a preload).
    const preloads: string[] = [];
    if (extra.OFF) {
      preloads.push(`--require ${join(__dirname, 'switch-off.js')}`);
      extra.BENCH_OFF = extra.OFF.split('+').join(',');
      delete extra.OFF;
    }
    if (extra.LIB) {
      preloads.push(`--require ${join(__dirname, 'library-variants.js')}`);
      extra.BENCH_LIB = extra.LIB.split('+').join(',');
      delete extra.LIB;
    }
    if (preloads.length > 0) extra.NODE_OPTIONS = preloads.join(' ');
    // `FLAGS=a+b`: node/V8 flags for that gateway alone (most V8 flags are refused in NODE_OPTIONS).
    const flags = (extra.FLAGS ?? '').split('+').filter(Boolean);
    delete extra.FLAGS;
    const server = await startGateway(main, root, {
      nodeArgs: [...STEADY_STATE_FLAGS, ...flags],
      upstreamUrl: world.standIn.url,
      clientId: CLIENT_ID,
      apiKey: API_KEY,
      logLevel: extra.LOG_LEVEL ?? 'info',
      logFile: join(RESULTS_DIR, `compare-${name}.log.tmp`),
      env: extra,
    });
    gateways.push({ name, server });
  }
  const scenarios: [string, HttpRequestSpec[]][] = [
    ['B', rolesReads(world.userTokens)],
    ['D', profileWrites(world.userTokens)],
  ];
  for (const [id, requests] of scenarios.filter(([id]) => wanted.includes(id))) {
    // Warm-up with full collections between its first slices, so that every gateway is measured in the state hours
    // of traffic leave it in (see steady-state.ts), whatever it did at start...
    for (let collection = 0; collection < FULL_COLLECTIONS; collection++) {
      for (const g of gateways) {
        await loadTest(g.server.url, requests, { connections, durationS: Math.max(0.5, warmupS / FULL_COLLECTIONS) });
        process.kill(g.server.child.pid!, 'SIGWINCH');
      }
    }
    // ...then without, for V8 to compile again what the collections changed.
    for (const g of gateways) await loadTest(g.server.url, requests, { connections, durationS: warmupS });
    const rps = new Map<string, number[]>(gateways.map((g) => [g.name, []]));
    const us = new Map<string, number[]>(gateways.map((g) => [g.name, []]));
    const slices = Math.max(1, Math.round(durationS / SLICE_S));
    for (let slice = 0; slice < slices; slice++) {
      for (const g of slice % 2 === 0 ? gateways : [...gateways].reverse()) {
        const before = cpuSeconds(g.server.child.pid!)!;
        const load = await loadTest(g.server.url, requests, { connections, durationS: SLICE_S });
        const cpu = cpuSeconds(g.server.child.pid!)! - before;
        if (load.errors > 0 || load.non2xx > 0) throw new Error(`${g.name} ${id}: ${load.errors} errors, ${load.non2xx} non-2xx`);
        rps.get(g.name)!.push(load.rps);
        us.get(g.name)!.push((cpu / load.ok) * 1e6);
      }
    }
    const first = gateways[0].name;
    for (const g of gateways) {
      const cpu = median(us.get(g.name)!);
      const ratio = g.name === first ? '' : `  CPU x${(cpu / median(us.get(first)!)).toFixed(2)} of ${first}${pairedDifference(us.get(g.name)!, us.get(first)!)}`;
      console.log(`${id} ${g.name.padEnd(14)} ${median(rps.get(g.name)!).toFixed(0).padStart(6)} req/s  ${cpu.toFixed(0).padStart(5)} µs CPU/request${ratio}`);
    }
  }
  // Resident memory after the run: what each configuration holds (an entitlements snapshot, say).
  for (const g of gateways) console.log(`RSS ${g.name.padEnd(14)} ${(residentBytes(g.server.child.pid!) / 1048576).toFixed(1)} MB`);
}

/**
 * The difference slice by slice (each gateway's slice against the first's in the same round, minutes apart at most),
 * so that the machine's drift over the run cancels: its median, and its quartiles as the spread.
 */
function pairedDifference(slices: number[], firstSlices: number[]): string {
  const differences = slices.map((value, round) => value - firstSlices[round]).sort((a, b) => a - b);
  const quartile = (q: number) => differences[Math.min(differences.length - 1, Math.floor(q * differences.length))];
  const sign = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;
  return `; paired ${sign(median(differences))} µs (quartiles ${sign(quartile(0.25))} / ${sign(quartile(0.75))}, ${differences.length} rounds)`;
}

function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? NaN) * 1024;
}

main()
  .then(() => stopAll())
  .catch(async (error: unknown) => {
    console.error(error);
    await stopAll();
    process.exit(1);
  });
