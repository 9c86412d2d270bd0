/**
 * The harness of the micro-benchmarks (micro-libs, micro-access-line, micro-cached-reads): CPU µs per operation of
 * each variant, in alternating rounds, reported as medians, for pieces whole-gateway runs are too noisy to separate.
 */
import type { FastifyInstance, InjectOptions } from 'fastify';

const ROUNDS = Number(process.env.MICRO_ROUNDS ?? 7);

export type Variant = (n: number) => Promise<void> | void;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** CPU µs (user + system) per operation of `run(n)`. */
async function cpuPerOp(n: number, run: Variant): Promise<number> {
  const before = process.cpuUsage();
  await run(n);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

/** Each variant warmed up, then ROUNDS rounds of `n` operations, in alternating order; `digits` after the point. */
export async function compare(name: string, n: number, variants: Record<string, Variant>, { unit = 'op', digits = 2 } = {}): Promise<void> {
  const names = Object.keys(variants);
  for (const v of names) await variants[v](Math.ceil(n / 4));
  const results = new Map<string, number[]>(names.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const v of round % 2 === 0 ? names : [...names].reverse()) results.get(v)!.push(await cpuPerOp(n, variants[v]));
  }
  for (const v of names) {
    const all = results.get(v)!;
    const shown = (value: number) => value.toFixed(digits);
    console.log(`${name.padEnd(8)} ${v.padEnd(26)} ${shown(median(all)).padStart(8)} µs CPU/${unit} (median of ${ROUNDS} x ${n}; min ${shown(Math.min(...all))}, max ${shown(Math.max(...all))})`);
  }
}

/** `n` injected requests, each expected to answer 200. */
export async function injectLoop(app: FastifyInstance, n: number, options: InjectOptions): Promise<void> {
  for (let i = 0; i < n; i++) {
    const response = await app.inject(options);
    if (response.statusCode !== 200) throw new Error(`${response.statusCode} ${response.body}`);
    // Each injected response leaves a setImmediate behind (its stream's write callback); a loop of awaits alone never
    // lets them run, so they piled up with every response they hold (≈ 10 KB a request, out of memory after a few
    // hundred thousand) and their work fell outside the round that caused it. Let them run within it.
    if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
  }
}
