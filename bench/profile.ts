/**
 * `npm run bench -- --profile`: the gateway under scenario B, then D, each run with
 * `node --cpu-prof`, and its framework ceiling (F for B, G for D) the same way, so that the
 * gateway's extra time can be read function by function. Profiles are written to
 * bench/results/profiles/ (open them in Chrome DevTools or speedscope for flame graphs);
 * the summary to bench/results/profile-latest.txt.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTest, type HttpRequestSpec } from './load';
import type { BenchOptions } from './options';
import { stop, stopAll, type ServerProcess } from './processes';
import { formatSummary, summariseFile } from './profile-summary';
import { membersReads, profileWrites, rolesReads } from './scenarios';
import { RESULTS_DIR, startGatewayFor, startNestCeilings, startWorld, type World } from './world';

/** One of the NestJS ceilings, profiled; the other one is stopped at once. */
async function ceiling(world: World, id: 'F' | 'G', execArgv: string[]): Promise<ServerProcess> {
  const { nestRoles, nestProxy } = await startNestCeilings(world, { [id]: execArgv });
  await stop(id === 'F' ? nestProxy : nestRoles);
  return id === 'F' ? nestRoles : nestProxy;
}

export async function runProfile(o: BenchOptions): Promise<number> {
  const world = await startWorld();
  const dir = join(RESULTS_DIR, 'profiles');
  const cpuProf = (name: string) => ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`];
  const reads = rolesReads(world.userTokens);
  const writes = profileWrites(world.userTokens);
  const runs: { id: string; title: string; requests: HttpRequestSpec[]; start: (name: string) => Promise<ServerProcess>; signal: NodeJS.Signals }[] = [
    {
      id: 'B',
      title: 'B gateway cached read, GET /v1/roles',
      requests: reads,
      start: (name) => startGatewayFor(world, 'info', 'gateway-profile-B', [...cpuProf(name), '-r', join(__dirname, 'profile-exit.js')]),
      signal: 'SIGUSR2',
    },
    {
      id: 'B+entitlements',
      title: 'B with ENTITLEMENTS=on (the stand-in\'s snapshot)',
      requests: reads,
      start: (name) => startGatewayFor(world, 'info', 'gateway-profile-B-entitlements', [...cpuProf(name), '-r', join(__dirname, 'profile-exit.js')], { env: { ENTITLEMENTS: 'on' } }),
      signal: 'SIGUSR2',
    },
    { id: 'F', title: 'F framework ceiling, GET /v1/roles', requests: reads, start: (name) => ceiling(world, 'F', cpuProf(name)), signal: 'SIGTERM' },
    {
      id: 'D',
      title: 'D gateway proxied write, PATCH /v1/me',
      requests: writes,
      start: (name) => startGatewayFor(world, 'info', 'gateway-profile-D', [...cpuProf(name), '-r', join(__dirname, 'profile-exit.js')]),
      signal: 'SIGUSR2',
    },
    { id: 'G', title: 'G framework ceiling, PATCH /v1/me proxied', requests: writes, start: (name) => ceiling(world, 'G', cpuProf(name)), signal: 'SIGTERM' },
    {
      id: 'I',
      title: 'I gateway members list, GET /v1/users',
      requests: membersReads(world.userTokens),
      start: (name) => startGatewayFor(world, 'info', 'gateway-profile-I', [...cpuProf(name), '-r', join(__dirname, 'profile-exit.js')]),
      signal: 'SIGUSR2',
    },
  ];
  const only = process.env.BENCH_PROFILE_ONLY?.split(',');
  const summaries: string[] = [];
  for (const run of runs) {
    if (only && !only.includes(run.id)) continue;
    const name = `${run.id}.cpuprofile`;
    const spawnedAt = performance.now();
    const server = await run.start(name);
    console.log(`[bench] profiling ${run.title}: ${o.warmupS} s warm-up, ${o.durationS} s load`);
    await loadTest(server.url, run.requests, { connections: o.connections, durationS: o.warmupS });
    // The profile starts with the process: the window of the measured load, as offsets from the spawn.
    const fromMs = performance.now() - spawnedAt;
    const load = await loadTest(server.url, run.requests, { connections: o.connections, durationS: o.durationS });
    const toMs = performance.now() - spawnedAt;
    await stop(server, run.signal);
    const summary = formatSummary(
      `${run.title}, ${load.rps.toFixed(0)} req/s, ${load.ok} requests while profiled (window ${(fromMs / 1000).toFixed(1)}-${(toMs / 1000).toFixed(1)} s of ${name})`,
      summariseFile(join(dir, name), 40, { fromMs, toMs }),
    );
    console.log(`\n${summary}\n`);
    summaries.push(summary);
  }
  await stopAll();
  writeFileSync(join(RESULTS_DIR, 'profile-latest.txt'), summaries.join('\n\n') + '\n');
  console.log(`Profiles: bench/results/profiles/*.cpuprofile; summary: bench/results/profile-latest.txt`);
  return 0;
}
