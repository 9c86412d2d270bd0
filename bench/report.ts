/** The results of one run: their shape, the issue's targets, and the printed and written forms. */
import { arch, cpus, loadavg, release, totalmem, type } from 'node:os';
import type { BurstResult, LoadResult } from './load';
import type { BenchOptions } from './options';
import type { ScenarioId } from './scenarios';

export interface Measured extends LoadResult {
  id: string;
  title: string;
  server: string;
  /** CPU used during the measured load, in % of one core, per process. */
  cpu: Record<string, number | undefined>;
  /** Peak resident memory of the server under test during the load. */
  rssPeakMb?: number;
  /** 2xx answers per second in each round (one slice of the interleaved load, see run.ts measure). */
  rounds?: number[];
  /** CPU time of the server under test per 2xx answer, in microseconds: what one request costs it, whatever the machine's speed of the moment. */
  cpuUsPerRequest?: number;
}

export interface Machine {
  /** 1-minute load average when the run began: above ~0.5, something else was running. */
  loadAverageAtStart: number;
  cpu: string;
  cores: number;
  mhz: number;
  memoryGb: number;
  node: string;
  os: string;
}

export interface BenchResults {
  generatedAt: string;
  reproduce: string;
  /** The gateway measured: commit, and whether src/ had uncommitted changes. */
  gateway: string;
  machine: Machine;
  settings: BenchOptions & { users: number; tenants: number };
  scenarios: Record<ScenarioId, Measured>;
  /**
   * B and D again with LOG_LEVEL=warn (no access log line per request): a second gateway, loaded in
   * the same alternating slices as B and D and their ceilings (A, C in the same slices).
   */
  warn?: { B: Measured; D: Measured; A?: Measured; C?: Measured };
  fixedRate: {
    rate: number;
    /** Evenly spaced arrivals (the figure the targets use). */
    paced: { A: LoadResult; B: LoadResult };
    /** autocannon overallRate, as the issue names it; bursty, see load.ts. */
    autocannon: { A: LoadResult; B: LoadResult };
  };
  coldStart: BurstResult & { requests: number; vendorAuth: number; jwks: number; upstream: Record<string, number> };
  memory: { warmMb?: number; peakMb?: number; afterMb?: number };
  /** Why the figures cannot be trusted (errors in the load); empty when the run is sound. */
  broken: string[];
}

export interface TargetCheck {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export function describeMachine(loadAverageAtStart = loadavg()[0]): Machine {
  const list = cpus();
  return {
    loadAverageAtStart,
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    mhz: list[0]?.speed ?? 0,
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${type()} ${release()} ${arch()}`,
  };
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * a/b in requests per second: the median over rounds of the ratio within each round when both were
 * loaded in the same alternating slices (each round's pair saw the same minutes of the machine),
 * otherwise the ratio of the totals.
 */
export function pairRatio(a: Measured | undefined, b: Measured | undefined): number {
  if (a === undefined || b === undefined) return NaN;
  const ra = a.rounds;
  const rb = b.rounds;
  if (ra && rb && ra.length === rb.length && ra.length > 0) return median(ra.map((x, i) => ratio(x, rb[i])));
  return ratio(a.rps, b.rps);
}
const f = (value: number | undefined, digits = 2) => (value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

export function ratios(r: BenchResults): Record<string, number> {
  const s = r.scenarios;
  const out: Record<string, number> = {
    'B/A': pairRatio(s.B, s.A),
    'D/C': pairRatio(s.D, s.C),
    'B/F': pairRatio(s.B, s.F),
    'D/G': pairRatio(s.D, s.G),
    'B/E': ratio(s.B.rps, s.E.rps),
  };
  if (r.warn) {
    out['B(warn)/A'] = pairRatio(r.warn.B, r.warn.A ?? s.A);
    out['D(warn)/C'] = pairRatio(r.warn.D, r.warn.C ?? s.C);
    out['B(warn)/B'] = pairRatio(r.warn.B, s.B);
    out['D(warn)/D'] = pairRatio(r.warn.D, s.D);
  }
  return out;
}

export function addedLatency(pair: { A: LoadResult; B: LoadResult }): { p50: number; p99: number } {
  return { p50: pair.B.latency.p50 - pair.A.latency.p50, p99: pair.B.latency.p99 - pair.A.latency.p99 };
}

/** The targets of issues 6 and 14, each with the figure of this run. */
export function checkTargets(r: BenchResults): TargetCheck[] {
  const q = ratios(r);
  const added = addedLatency(r.fixedRate.paced);
  const { coldStart: cold, memory } = r;
  const coldOk = Object.entries(cold.statusCodes).every(([code]) => code.startsWith('2')) && cold.errors === 0;
  const back = memory.afterMb !== undefined && memory.warmMb !== undefined ? memory.afterMb / memory.warmMb - 1 : NaN;
  return [
    { name: 'B/A requests/s', target: '>= 0.45', value: f(q['B/A'], 3), pass: q['B/A'] >= 0.45 },
    { name: 'D/C requests/s', target: '>= 0.25', value: f(q['D/C'], 3), pass: q['D/C'] >= 0.25 },
    { name: 'B/F requests/s (framework ceiling)', target: '>= 0.6', value: f(q['B/F'], 3), pass: q['B/F'] >= 0.6 },
    { name: 'D/G requests/s (framework ceiling)', target: '>= 0.6', value: f(q['D/G'], 3), pass: q['D/G'] >= 0.6 },
    { name: 'B/E requests/s', target: '>= 4', value: f(q['B/E'], 2), pass: q['B/E'] >= 4 },
    { name: `added p50 at ${r.fixedRate.rate} req/s`, target: '<= 1 ms', value: `${f(added.p50, 3)} ms`, pass: added.p50 <= 1 },
    { name: `added p99 at ${r.fixedRate.rate} req/s`, target: '<= 5 ms', value: `${f(added.p99, 3)} ms`, pass: added.p99 <= 5 },
    {
      name: `cold start, ${cold.requests} concurrent first requests`,
      target: '1 vendor auth, 1 JWKS fetch, all 2xx',
      value: `${cold.vendorAuth} vendor auth, ${cold.jwks} JWKS, ${statusSummary(cold.statusCodes, cold.errors)}`,
      pass: cold.vendorAuth === 1 && cold.jwks === 1 && coldOk,
    },
    { name: 'gateway RSS under load', target: '<= 150 MB', value: `${f(memory.peakMb, 1)} MB`, pass: (memory.peakMb ?? Infinity) <= 150 },
    {
      name: 'gateway RSS 5 s after load',
      target: 'within 10 % of warm',
      value: `${f(memory.afterMb, 1)} MB vs warm ${f(memory.warmMb, 1)} MB (${back >= 0 ? '+' : ''}${f(back * 100, 1)} %)`,
      pass: back <= 0.1,
    },
  ];
}

function statusSummary(codes: Record<string, number>, errors: number): string {
  const parts = Object.entries(codes).map(([code, n]) => `${n}x${code}`);
  if (errors > 0) parts.push(`${errors} errors`);
  return parts.join(' ') || 'no answers';
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + ' '.repeat(width - text.length));
const padStart = (text: string, width: number) => (text.length >= width ? text : ' '.repeat(width - text.length) + text);

/** Each process's CPU share; processes idle during this load (under 0.5 %; seven servers run at once) are left out, not the server under test. */
function cpuSummary(m: Measured): string {
  return Object.entries(m.cpu)
    .filter(([name, pct]) => name === m.server || pct === undefined || Math.round(pct) > 0)
    .map(([name, pct]) => `${name} ${pct === undefined ? 'n/a' : `${Math.round(pct)}%`}`)
    .join(', ');
}

function scenarioRows(r: BenchResults): Measured[] {
  return [...Object.values(r.scenarios), ...(r.warn ? [r.warn.B, r.warn.D] : [])];
}

/** The console report. */
export function formatText(r: BenchResults): string {
  const lines: string[] = [];
  const m = r.machine;
  lines.push(`Machine: ${m.cores} x ${m.cpu} (${m.mhz} MHz), ${m.memoryGb} GB RAM, Node ${m.node}, ${m.os}`);
  lines.push(`Gateway: ${r.gateway}`);
  lines.push(
    `Load average when the run began: ${m.loadAverageAtStart.toFixed(2)}` +
      (m.loadAverageAtStart >= 0.5 ? ' (other programs were busy: expect noise; see "other" CPU per scenario)' : ''),
  );
  lines.push(
    `Load: ${r.settings.connections} connections, ${r.settings.durationS} s per scenario after ${r.settings.warmupS} s warm-up; ` +
      `${r.settings.users} users' tokens over ${r.settings.tenants} tenants`,
  );
  lines.push('');
  lines.push(`${pad('scenario', 58)}${padStart('req/s', 9)}${padStart('CPU µs/req', 11)}${padStart('p50 ms', 9)}${padStart('p99 ms', 9)}${padStart('errors', 8)}${padStart('non-2xx', 9)}  CPU (% of one core)`);
  for (const s of scenarioRows(r)) {
    lines.push(
      `${pad(`${s.id} ${s.title}`, 58)}${padStart(s.rps.toFixed(0), 9)}${padStart(f(s.cpuUsPerRequest, 0), 11)}${padStart(f(s.latency.p50), 9)}${padStart(f(s.latency.p99), 9)}` +
        `${padStart(String(s.errors), 8)}${padStart(String(s.non2xx), 9)}  ${cpuSummary(s)}`,
    );
  }
  lines.push('');
  lines.push(`Fixed rate ${r.fixedRate.rate} req/s (half of B), ${r.settings.durationS} s each:`);
  for (const [label, pair] of [
    ['evenly paced (targets)', r.fixedRate.paced],
    ['autocannon overallRate', r.fixedRate.autocannon],
  ] as const) {
    const added = addedLatency(pair);
    lines.push(
      `  ${pad(label, 24)} A p50 ${f(pair.A.latency.p50, 3)} p99 ${f(pair.A.latency.p99, 3)} | B p50 ${f(pair.B.latency.p50, 3)} p99 ${f(pair.B.latency.p99, 3)}` +
        ` | added p50 ${f(added.p50, 3)} ms, p99 ${f(added.p99, 3)} ms`,
    );
  }
  const cold = r.coldStart;
  lines.push('');
  lines.push(
    `Cold start: ${cold.requests} concurrent first requests (GET /v1/roles, distinct users) -> ${statusSummary(cold.statusCodes, cold.errors)} in ${cold.wallMs.toFixed(0)} ms ` +
      `(p50 ${f(cold.latency.p50, 1)} ms, p99 ${f(cold.latency.p99, 1)} ms)`,
  );
  lines.push(`  upstream calls: ${Object.entries(cold.upstream).map(([route, n]) => `${route}: ${n}`).join(', ') || 'none'}`);
  lines.push(
    `Gateway memory (VmRSS): warm ${f(r.memory.warmMb, 1)} MB, peak under load ${f(r.memory.peakMb, 1)} MB, 5 s after ${f(r.memory.afterMb, 1)} MB`,
  );
  lines.push('');
  lines.push('Ratios (requests/s; median over rounds of the ratio within each round, B/E of the totals):');
  for (const [name, value] of Object.entries(ratios(r))) lines.push(`  ${pad(name, 12)} ${f(value, 3)}`);
  lines.push('');
  lines.push('Targets (issues 6 and 14):');
  for (const t of checkTargets(r)) lines.push(`  ${t.pass ? 'PASS' : 'FAIL'}  ${pad(t.name, 44)} ${pad(t.target, 22)} ${t.value}`);
  if (r.broken.length > 0) {
    lines.push('');
    lines.push('THE RUN IS NOT SOUND:');
    for (const why of r.broken) lines.push(`  - ${why}`);
  }
  lines.push('');
  lines.push(`Reproduce: ${r.reproduce}`);
  return lines.join('\n');
}

/** The Markdown form (bench/results/latest.md), also what docs/performance.md shows under "Latest run". */
export function formatMarkdown(r: BenchResults): string {
  const m = r.machine;
  const out: string[] = [];
  out.push(`Gateway ${r.gateway}; run of ${r.generatedAt} on ${m.cores} x ${m.cpu}, ${m.memoryGb} GB RAM, Node ${m.node}, ${m.os}; ` +
    `${r.settings.connections} connections, ${r.settings.durationS} s per scenario after ${r.settings.warmupS} s warm-up.`);
  out.push('');
  out.push('| scenario | req/s | server CPU µs/req | p50 ms | p99 ms | errors | non-2xx | CPU, % of one core |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const s of scenarioRows(r)) {
    out.push(`| ${s.id} ${s.title} | ${s.rps.toFixed(0)} | ${f(s.cpuUsPerRequest, 0)} | ${f(s.latency.p50)} | ${f(s.latency.p99)} | ${s.errors} | ${s.non2xx} | ${cpuSummary(s)} |`);
  }
  out.push('');
  const paced = r.fixedRate.paced;
  const added = addedLatency(paced);
  const burst = addedLatency(r.fixedRate.autocannon);
  out.push(`At a fixed ${r.fixedRate.rate} req/s (half of B), evenly paced: A p50 ${f(paced.A.latency.p50, 3)} ms / p99 ${f(paced.A.latency.p99, 3)} ms, ` +
    `B p50 ${f(paced.B.latency.p50, 3)} ms / p99 ${f(paced.B.latency.p99, 3)} ms. ` +
    `With autocannon \`overallRate\` (per-second bursts): added p50 ${f(burst.p50, 3)} ms, p99 ${f(burst.p99, 3)} ms.`);
  out.push('');
  out.push(`Ratios (median over rounds of the ratio within each round): ${Object.entries(ratios(r)).map(([name, value]) => `${name} ${f(value, 3)}`).join(', ')}.`);
  out.push('');
  out.push('| target (issues 6 and 14) | wanted | this run | |');
  out.push('| --- | --- | --- | --- |');
  for (const t of checkTargets(r)) out.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.pass ? 'PASS' : 'FAIL'} |`);
  out.push('');
  out.push(`Cold-start upstream calls: ${Object.entries(r.coldStart.upstream).map(([route, n]) => `\`${route}\` ${n}`).join(', ')}.`);
  out.push(`Added latency: p50 ${f(added.p50, 3)} ms, p99 ${f(added.p99, 3)} ms. Reproduce: \`${r.reproduce}\`.`);
  return out.join('\n') + '\n';
}
