/**
 * `npm run bench -- --profile`: the gateway under scenario B, then D, each run with
 * `node --cpu-prof`, and a summary of where its CPU time goes. Profiles are written to
 * bench/results/profiles/ (open them in Chrome DevTools or speedscope for flame graphs);
 * the summary to bench/results/profile-latest.txt.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadTest } from './load';
import type { BenchOptions } from './options';
import { stop, stopAll } from './processes';
import { formatSummary, summariseFile } from './profile-summary';
import { profileWrites, rolesReads } from './scenarios';
import { RESULTS_DIR, startGatewayFor, startWorld } from './world';

export async function runProfile(o: BenchOptions): Promise<number> {
  const world = await startWorld();
  const dir = join(RESULTS_DIR, 'profiles');
  const runs = [
    { id: 'B', title: 'B gateway cached read, GET /v1/roles', requests: rolesReads(world.userTokens) },
    { id: 'D', title: 'D gateway proxied write, PATCH /v1/me', requests: profileWrites(world.userTokens) },
  ];
  const summaries: string[] = [];
  for (const run of runs) {
    const name = `gateway-${run.id}.cpuprofile`;
    const spawnedAt = performance.now();
    const gateway = await startGatewayFor(world, 'info', `gateway-profile-${run.id}`, [
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=${name}`,
      '-r',
      join(__dirname, 'profile-exit.js'),
    ]);
    console.log(`[bench] profiling ${run.title}: ${o.warmupS} s warm-up, ${o.durationS} s load`);
    await loadTest(gateway.url, run.requests, { connections: o.connections, durationS: o.warmupS });
    // The profile starts with the process: the window of the measured load, as offsets from the spawn.
    const fromMs = performance.now() - spawnedAt;
    const load = await loadTest(gateway.url, run.requests, { connections: o.connections, durationS: o.durationS });
    const toMs = performance.now() - spawnedAt;
    await stop(gateway, 'SIGUSR2');
    const summary = formatSummary(
      `${run.title}, ${load.rps.toFixed(0)} req/s while profiled (window ${(fromMs / 1000).toFixed(1)}-${(toMs / 1000).toFixed(1)} s of ${name})`,
      summariseFile(join(dir, name), 25, { fromMs, toMs }),
    );
    console.log(`\n${summary}\n`);
    summaries.push(summary);
  }
  await stopAll();
  writeFileSync(join(RESULTS_DIR, 'profile-latest.txt'), summaries.join('\n\n') + '\n');
  console.log(`Profiles: bench/results/profiles/*.cpuprofile; summary: bench/results/profile-latest.txt`);
  return 0;
}
