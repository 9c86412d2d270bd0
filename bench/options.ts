/** Run settings, from the environment. Defaults suit a 2-core machine. */
export interface BenchOptions {
  durationS: number;
  connections: number;
  warmupS: number;
  coldStartRequests: number;
  /** Also run B and D with LOG_LEVEL=warn. */
  warnRun: boolean;
  quick: boolean;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
}

export function benchOptions(env: NodeJS.ProcessEnv = process.env): BenchOptions {
  const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true';
  return {
    quick,
    durationS: positive(env, 'BENCH_DURATION', quick ? 2 : 10),
    connections: Math.round(positive(env, 'BENCH_CONNECTIONS', 50)),
    warmupS: positive(env, 'BENCH_WARMUP', quick ? 1 : 3),
    coldStartRequests: Math.round(positive(env, 'BENCH_COLD_START_REQUESTS', 500)),
    warnRun: env.BENCH_WARN_RUN !== '0',
  };
}

export const OPTIONS_HELP = `Settings (environment):
  BENCH_DURATION            seconds per measured load (default 10; 2 with BENCH_QUICK=1)
  BENCH_CONNECTIONS         concurrent connections, the same for every scenario (default 50)
  BENCH_WARMUP              seconds of unrecorded load before each scenario (default 3; 1 quick)
  BENCH_COLD_START_REQUESTS simultaneous first requests against a fresh gateway (default 500)
  BENCH_WARN_RUN=0          skip the LOG_LEVEL=warn runs of B and D
  BENCH_GATEWAY_ROOT        measure another checkout's dist/main.js (a baseline), built there if needed
  BENCH_QUICK=1             smoke run`;
