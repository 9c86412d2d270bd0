/**
 * What loading an entitlements snapshot costs (issue 22): a snapshot of BENCH_ENTITLEMENTS_TUPLES
 * tuples (default 100,000; UUID ids, as Frontegg's) is parsed and indexed as the gateway does on a
 * reload (JSON.parse of the answer, then parseSnapshot), and the script prints how long that took
 * and how much resident memory the kept snapshot adds once the answer's text is gone. Each of
 * BENCH_ENTITLEMENTS_RUNS runs (default 5) is a fresh process, so no run inherits another's heap.
 *
 *   node bench/dist/bench/entitlements-load.js
 */
import { execFileSync } from 'node:child_process';
import { decideLinkedFeatures, type EntitlementsCaller } from '../src/entitlements/evaluator';
import { parseSnapshot } from '../src/entitlements/snapshot';
import { entitlementsSnapshot, READ_ROLES, TENANTS } from './fixtures';

interface Measured {
  loadMs: number;
  /** One permission check of scenario B (fe.secure.read.roles, linked to a feature in all 10 plans), in ns. */
  decisionNs: number;
  heapMb: number;
  retainedMb: number;
  peakMb: number;
  tuples: number;
  bodyMb: number;
}

const MB = 1024 * 1024;

function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
}

function measureOnce(tuples: number): Measured {
  collect();
  const heapBaseline = process.memoryUsage().heapUsed;
  // The answer as it arrives: text (built before the RSS baseline, as the transport holds it before parsing).
  let body: string | undefined = JSON.stringify(entitlementsSnapshot(tuples));
  const bodyMb = Buffer.byteLength(body) / MB;
  collect();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const started = performance.now();
  const snapshot = parseSnapshot(JSON.parse(body));
  const loadMs = performance.now() - started;
  peak = Math.max(peak, process.memoryUsage().rss);
  body = undefined;
  collect();
  const retainedMb = (process.memoryUsage().rss - baseline) / MB;
  const heapMb = (process.memoryUsage().heapUsed - heapBaseline) / MB;
  // Keep the snapshot alive until measured.
  if (snapshot.tupleCount !== tuples) throw new Error(`indexed ${snapshot.tupleCount} tuples, not ${tuples}`);
  const callers: EntitlementsCaller[] = TENANTS.map((tenantId, index) => ({ tenantId, userId: `user-${index}`, permissions: [READ_ROLES], attributes: () => ({}) }));
  const decisions = 400_000;
  const now = Date.now();
  const decided = performance.now();
  for (let index = 0; index < decisions; index++) {
    if (!decideLinkedFeatures(snapshot, callers[index & 3], READ_ROLES, now).entitled) throw new Error('a bench tenant is not entitled');
  }
  const decisionNs = ((performance.now() - decided) * 1e6) / decisions;
  return { loadMs, decisionNs, heapMb, retainedMb, peakMb: (peak - baseline) / MB, tuples, bodyMb };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const tuples = Number(process.env.BENCH_ENTITLEMENTS_TUPLES ?? 100_000);
if (process.argv[2] === '--child') {
  process.stdout.write(JSON.stringify(measureOnce(tuples)));
} else {
  const runs = Number(process.env.BENCH_ENTITLEMENTS_RUNS ?? 5);
  const results: Measured[] = [];
  for (let run = 0; run < runs; run++) {
    const output = execFileSync(process.execPath, ['--expose-gc', '--max-old-space-size=128', __filename, '--child'], { encoding: 'utf8', env: process.env });
    results.push(JSON.parse(output) as Measured);
  }
  const { bodyMb } = results[0];
  console.log(`entitlements snapshot of ${tuples} tuples (${bodyMb.toFixed(1)} MB of JSON), ${runs} fresh processes, --max-old-space-size=128 as start:prod:`);
  console.log(`  load (JSON.parse + validate + index): median ${median(results.map((r) => r.loadMs)).toFixed(0)} ms, max ${Math.max(...results.map((r) => r.loadMs)).toFixed(0)} ms`);
  console.log(`  one permission decision (B's):        median ${median(results.map((r) => r.decisionNs)).toFixed(0)} ns`);
  console.log(`  RSS kept by the snapshot:            median ${median(results.map((r) => r.retainedMb)).toFixed(1)} MB, max ${Math.max(...results.map((r) => r.retainedMb)).toFixed(1)} MB`);
  console.log(`  heap kept by the snapshot (its size):  median ${median(results.map((r) => r.heapMb)).toFixed(1)} MB`);
  console.log(`  RSS at the end of the load (peak-ish): median ${median(results.map((r) => r.peakMb)).toFixed(1)} MB over the baseline`);
}
