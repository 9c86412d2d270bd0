/**
 * `npm run bench`: the side-by-side benchmark of issues 6 and 14. Starts every server as its own
 * child process, loads scenarios A-G with the same connections and duration (B slice by slice with
 * its ceilings A and F and its LOG_LEVEL=warn twin; D with C, G and its warn twin), measures the
 * added latency at a fixed rate, the gateway's memory, and a cold start; prints the figures against the targets
 * and writes bench/results/latest.{json,md} and chart.svg. It is a measuring tool: a missed target
 * is reported, and only a broken run (a server that does not start, errors in the load) exits 1.
 *
 * `npm run bench -- --profile` profiles the gateway under B and D instead (see profile.ts);
 * `npm run bench -- --instructions[=B,D,...]` counts instructions per request under callgrind (see instructions.ts).
 */
import { deepStrictEqual } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { renderChart } from './chart';
import { API_KEY, CLIENT_ID, MEMBERS_PAGE, TENANTS, USERS, expectedRolesAnswer } from './fixtures';
import { burst, loadTest, mergeLoads, pacedLoad, type LoadResult, type SampledLoadResult } from './load';
import { benchOptions, OPTIONS_HELP, type BenchOptions } from './options';
import { MemorySampler, cpuSeconds, forkServer, machineBusySeconds, httpGet, httpSend, residentMb, sleep, stop, stopAll, type ServerProcess } from './processes';
import { runInstructions } from './instructions';
import { runProfile } from './profile';
import { describeMachine, formatMarkdown, formatText, type BenchResults, type Measured } from './report';
import { rolesReads, scenarios, type Scenario, type ScenarioId } from './scenarios';
import { RESULTS_DIR, gatewayRevision, prepareGateway, startGatewayFor, startNestCeilings, startWorld, type World } from './world';

const REPRODUCE = 'npm install && npm run bench';
const SETTLE_MS = 5_000;
/** Length of one slice of interleaved loads (see measure). */
const SLICE_S = 2;

const log = (message: string) => console.log(`[bench] ${message}`);

function withoutSamples<T extends LoadResult>(result: T & Partial<Pick<SampledLoadResult, 'samples'>>): T {
  const { samples: _samples, ...rest } = result;
  return rest as T;
}

/**
 * Warms up, then loads the scenarios in alternating slices of SLICE_S seconds (A B F F B A A B F ...,
 * o.durationS in all for each; a round is one slice of each), reading the CPU time of every process
 * and the memory of each server under test. The results come in the order of `scenarios`. A ceiling goes with its gateway scenario, so that both see the same machine:
 * on a shared virtual machine the speed of everything drifts by tens of percent from one minute
 * to the next, and ratios of loads taken a minute apart measured the drift as much as the gateway.
 */
async function measure(scenarios: Scenario[], o: BenchOptions, watched: ServerProcess[], beforeLoad?: () => Promise<void>): Promise<Measured[]> {
  for (const s of scenarios) {
    log(`${s.id}: ${s.title} (warm-up ${o.warmupS} s)`);
    await loadTest(s.server.url, s.requests, { connections: o.connections, durationS: o.warmupS });
  }
  await beforeLoad?.();
  const slices = Math.max(1, Math.round(o.durationS / SLICE_S));
  const sliceS = o.durationS / slices;
  log(`${scenarios.map((s) => s.id).join(', ')}: ${slices} alternating slices of ${sliceS} s each`);
  const processes = [...new Set([...scenarios.map((s) => s.server), ...watched])];
  const parts = new Map<Scenario, SampledLoadResult[]>(scenarios.map((s) => [s, []]));
  const cpu = new Map<Scenario, Map<string, number>>(scenarios.map((s) => [s, new Map()]));
  const wall = new Map<Scenario, number>(scenarios.map((s) => [s, 0]));
  const peak = new Map<Scenario, number>();
  for (let slice = 0; slice < slices; slice++) {
    for (const s of slice % 2 === 0 ? scenarios : [...scenarios].reverse()) {
      const before = processes.map((p) => cpuSeconds(p.child.pid!));
      const benchBefore = process.cpuUsage();
      const machineBefore = machineBusySeconds();
      const started = performance.now();
      const sampler = new MemorySampler(s.server.child.pid!).start();
      parts.get(s)!.push(await loadTest(s.server.url, s.requests, { connections: o.connections, durationS: sliceS }));
      const memory = sampler.stop();
      if (memory.peakMb !== undefined) peak.set(s, Math.max(peak.get(s) ?? 0, memory.peakMb));
      wall.set(s, wall.get(s)! + (performance.now() - started) / 1000);
      const used = cpu.get(s)!;
      const add = (name: string, seconds: number | undefined) => used.set(name, (used.get(name) ?? 0) + (seconds ?? 0));
      processes.forEach((p, i) => {
        const after = cpuSeconds(p.child.pid!);
        add(p.name, after !== undefined && before[i] !== undefined ? after - before[i]! : undefined);
      });
      const bench = process.cpuUsage(benchBefore);
      add('load generator', (bench.user + bench.system) / 1e6);
      const machineAfter = machineBusySeconds();
      if (machineBefore !== undefined && machineAfter !== undefined) add('machine', machineAfter - machineBefore);
    }
  }
  return scenarios.map((s) => {
    const seconds = wall.get(s)!;
    const used = cpu.get(s)!;
    const share: Record<string, number | undefined> = {};
    let ours = 0;
    for (const [name, cpuS] of used) {
      if (name === 'machine') continue;
      share[name] = (cpuS / seconds) * 100;
      ours += share[name]!;
    }
    // Whatever else kept the cores busy (other programs, and kernel network work not charged to ours).
    if (used.has('machine')) share.other = Math.max(0, ((used.get('machine') ?? 0) / seconds) * 100 - ours);
    const load = withoutSamples(mergeLoads(parts.get(s)!));
    const serverCpuS = used.get(s.server.name);
    return {
      ...load,
      id: s.id,
      title: s.title,
      server: s.server.name,
      cpu: share,
      rssPeakMb: peak.get(s),
      rounds: parts.get(s)!.map((part) => part.rps),
      cpuUsPerRequest: serverCpuS !== undefined && load.ok > 0 ? (serverCpuS / load.ok) * 1e6 : undefined,
    };
  });
}

/** Every server answers what the scenarios assume, before anything is measured. */
async function checkAnswers(
  world: World,
  servers: { bare: ServerProcess; gateway: ServerProcess; express: ServerProcess; nestRoles: ServerProcess; nestProxy: ServerProcess; gatewayWarn?: ServerProcess },
): Promise<void> {
  const user = USERS[1];
  const auth = { authorization: `Bearer ${world.userTokens[1]}` };
  const expected = expectedRolesAnswer(user.tenantId);
  const check = async (name: string, url: string, want: unknown) => {
    const answer = await httpGet(url, auth);
    if (answer.status !== 200) throw new Error(`${name} answered ${answer.status}: ${answer.body.slice(0, 300)}`);
    deepStrictEqual(JSON.parse(answer.body), want, `${name} does not answer the expected roles`);
  };
  await check('the gateway', `${servers.gateway.url}/v1/roles`, expected);
  await check('the Express alternative', `${servers.express.url}/v1/roles`, expected);
  await check('the ceiling', `${servers.bare.url}/v1/roles`, expectedRolesAnswer(TENANTS[0]));
  await check('the NestJS ceiling (F)', `${servers.nestRoles.url}/v1/roles`, expected);
  if (servers.gatewayWarn) await check('the gateway at LOG_LEVEL=warn', `${servers.gatewayWarn.url}/v1/roles`, expected);
  const members = await httpGet(`${servers.gateway.url}/v1/users?limit=${MEMBERS_PAGE}`, auth);
  const page = members.status === 200 ? (JSON.parse(members.body) as { items: { id: string }[]; hasMore: boolean }) : undefined;
  if (!page || page.items.length !== MEMBERS_PAGE || !page.hasMore) throw new Error(`the gateway GET /v1/users answered ${members.status}: ${members.body.slice(0, 300)}`);
  const writers: [string, ServerProcess][] = [
    ["the gateway's", servers.gateway],
    ["the NestJS proxy ceiling's (G)", servers.nestProxy],
    ...(servers.gatewayWarn ? [["the warn gateway's", servers.gatewayWarn] as [string, ServerProcess]] : []),
  ];
  for (const [name, server] of writers) {
    const patch = await httpSend('PATCH', `${server.url}/v1/me`, { ...auth, 'content-type': 'application/json' }, JSON.stringify({ name: 'Renamed' }));
    if (patch.status !== 200 || (JSON.parse(patch.body) as { id?: string }).id !== user.id) {
      throw new Error(`${name} PATCH /v1/me answered ${patch.status}: ${patch.body.slice(0, 300)}`);
    }
  }
}

function soundness(label: string, r: LoadResult): string[] {
  if (r.errors === 0 && r.non2xx === 0 && r.ok > 0) return [];
  return [`${label}: ${r.ok} ok, ${r.errors} connection errors or timeouts, ${r.non2xx} non-2xx (status codes ${JSON.stringify(r.statusCodes)})`];
}

async function coldStart(world: World, o: BenchOptions): Promise<BenchResults['coldStart']> {
  log(`cold start: a fresh gateway, ${o.coldStartRequests} concurrent first requests`);
  await httpSend('DELETE', `${world.standIn.url}/__counts`, {});
  const gateway = await startGatewayFor(world, 'info', 'gateway-cold');
  const reads = rolesReads(world.userTokens);
  const result = await burst(gateway.url, Array.from({ length: o.coldStartRequests }, (_, i) => reads[i % reads.length]));
  await stop(gateway);
  const upstream = JSON.parse((await httpGet(`${world.standIn.url}/__counts`)).body) as Record<string, number>;
  return {
    ...result,
    requests: o.coldStartRequests,
    vendorAuth: upstream['POST /auth/vendor'] ?? 0,
    jwks: upstream['GET /.well-known/jwks.json'] ?? 0,
    upstream,
  };
}

async function main(): Promise<number> {
  const o = benchOptions();
  if (process.argv.includes('--help')) {
    console.log(OPTIONS_HELP);
    return 0;
  }
  const loadAverageAtStart = loadavg()[0];
  prepareGateway();
  const revision = gatewayRevision();
  mkdirSync(RESULTS_DIR, { recursive: true });
  if (process.argv.includes('--profile')) return runProfile(o);
  const instructions = process.argv.find((arg) => arg === '--instructions' || arg.startsWith('--instructions='));
  if (instructions) return runInstructions(instructions.includes('=') ? instructions.slice(instructions.indexOf('=') + 1).split(',') : []);

  log(`starting servers (${o.connections} connections, ${o.durationS} s per scenario${o.quick ? ', quick mode' : ''})`);
  const world = await startWorld();
  const bare = await forkServer('ceiling', 'bare-roles');
  const express = await forkServer('express', 'express-sdk', { FRONTEGG_API_GATEWAY_URL: world.standIn.url, FRONTEGG_CLIENT_ID: CLIENT_ID, FRONTEGG_API_KEY: API_KEY });
  const { nestRoles, nestProxy } = await startNestCeilings(world);
  const gateway = await startGatewayFor(world, 'info', 'gateway-info');
  // The LOG_LEVEL=warn twin runs beside it, so that its loads interleave with B's and D's.
  const gatewayWarn = o.warnRun ? await startGatewayFor(world, 'warn', 'gateway-warn') : undefined;
  if (gatewayWarn) gatewayWarn.name = 'gateway (warn)';
  await checkAnswers(world, { bare, gateway, express, nestRoles, nestProxy, gatewayWarn });

  const list = scenarios({ bare, gateway, standIn: world.standIn, express, nestRoles, nestProxy }, world.userTokens, world.vendorToken);
  const byId = Object.fromEntries(list.map((s) => [s.id, s])) as Record<ScenarioId, Scenario>;
  const watched = [gateway, world.standIn, ...(gatewayWarn ? [gatewayWarn] : [])];
  const memory: BenchResults['memory'] = {};
  const measured = {} as Record<ScenarioId, Measured>;
  // A warn twin keeps its info scenario's id; its figures are reported under `warn`.
  const warnTwin = (s: Scenario): Scenario => ({ ...s, server: gatewayWarn!, title: `${s.title}, LOG_LEVEL=warn` });
  const withWarn = (group: Scenario[], twin: Scenario) => (gatewayWarn ? [...group, warnTwin(twin)] : group);

  const reads = await measure(withWarn([byId.A, byId.B, byId.F], byId.B), o, watched, async () => {
    await sleep(SETTLE_MS);
    memory.warmMb = residentMb(gateway.child.pid!);
  });
  [measured.A, measured.B, measured.F] = reads;
  memory.peakMb = measured.B.rssPeakMb;
  await sleep(SETTLE_MS);
  memory.afterMb = residentMb(gateway.child.pid!);
  const writes = await measure(withWarn([byId.C, byId.D, byId.G], byId.D), o, watched);
  [measured.C, measured.D, measured.G] = writes;
  // The warn twins were loaded in the same slices as B and D, beside A and C.
  const warn: BenchResults['warn'] = gatewayWarn ? { B: reads[3], D: writes[3], A: measured.A, C: measured.C } : undefined;
  if (gatewayWarn) await stop(gatewayWarn);
  await stop(nestRoles);
  await stop(nestProxy);
  // Issue 21: the members list, the gateway (I) in the same slices as the direct upstream call (H).
  [measured.H, measured.I] = await measure([byId.H, byId.I], o, watched);
  const membersRate = Math.max(1, Math.round(measured.I.rps / 2));
  log(`members list at a fixed ${membersRate} req/s: H and I evenly paced (${o.durationS} s each)`);
  const members: BenchResults['members'] = {
    rate: membersRate,
    paced: {
      A: await pacedLoad(world.standIn.url, byId.H.requests, { rate: membersRate, durationS: o.durationS, connections: o.connections, warmupS: 1 }),
      B: await pacedLoad(gateway.url, byId.I.requests, { rate: membersRate, durationS: o.durationS, connections: o.connections, warmupS: 1 }),
    },
  };
  [measured.E] = await measure([byId.E], o, [world.standIn]);

  const rate = Math.max(1, Math.round(measured.B.rps / 2));
  log(`fixed rate ${rate} req/s: A and B evenly paced, then with autocannon overallRate (${o.durationS} s each)`);
  const paced = {
    A: await pacedLoad(bare.url, byId.B.requests, { rate, durationS: o.durationS, connections: o.connections, warmupS: 1 }),
    B: await pacedLoad(gateway.url, byId.B.requests, { rate, durationS: o.durationS, connections: o.connections, warmupS: 1 }),
  };
  const bursty = {
    A: withoutSamples(await loadTest(bare.url, byId.B.requests, { connections: o.connections, durationS: o.durationS, overallRate: rate })),
    B: withoutSamples(await loadTest(gateway.url, byId.B.requests, { connections: o.connections, durationS: o.durationS, overallRate: rate })),
  };

  await stop(gateway);
  await stop(express);
  await stop(bare);

  const cold = await coldStart(world, o);
  await stopAll();

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    reproduce: REPRODUCE,
    gateway: revision,
    machine: describeMachine(loadAverageAtStart),
    settings: { ...o, users: USERS.length, tenants: TENANTS.length },
    scenarios: measured,
    warn,
    fixedRate: { rate, paced, autocannon: bursty },
    members,
    coldStart: cold,
    memory,
    broken: [
      ...[...Object.values(measured), ...(warn ? [warn.B, warn.D] : [])].flatMap((m) => soundness(`${m.id} ${m.title}`, m)),
      ...soundness('A at a fixed rate (paced)', paced.A),
      ...soundness('B at a fixed rate (paced)', paced.B),
      ...soundness('A at a fixed rate (autocannon)', bursty.A),
      ...soundness('B at a fixed rate (autocannon)', bursty.B),
      ...soundness('H at a fixed rate (paced)', members.paced.A),
      ...soundness('I at a fixed rate (paced)', members.paced.B),
      ...(cold.errors > 0 ? [`cold start: ${cold.errors} requests got no answer`] : []),
    ],
  };
  writeFileSync(join(RESULTS_DIR, 'latest.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(RESULTS_DIR, 'latest.md'), formatMarkdown(results));
  writeFileSync(join(RESULTS_DIR, 'chart.svg'), renderChart(results));
  console.log('');
  console.log(formatText(results));
  console.log(`\nWritten: bench/results/latest.json, bench/results/latest.md, bench/results/chart.svg`);
  return results.broken.length > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void stopAll().finally(() => process.exit(130)));
}

main()
  .then(async (code) => {
    await stopAll();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(`[bench] the benchmark broke: ${error instanceof Error ? error.message : String(error)}`);
    await stopAll();
    process.exit(1);
  });
