/**
 * Garbage collection of one gateway under scenario B's load (issue 22): the gateway runs with `--trace-gc`, is loaded
 * for 5 s, then 10 s, and the collections of the last 10 s are summed: how many scavenges and full collections, their
 * time, and the heap each leaves. Run it several times: the state it looks for comes in some runs and not others.
 *
 *   node bench/dist/bench/gc-trace.js [--entitlements] [node flags...]
 *
 * `--entitlements` starts the gateway with ENTITLEMENTS=on (the stand-in's snapshot, BENCH_ENTITLEMENTS_TUPLES);
 * `--snapshot-in-process` keeps entitlements off but builds a snapshot at start (bench/snapshot-in-process.ts); any
 * other argument is a node flag for the gateway (`--no-allocation-site-pretenuring`, `--max-old-space-size=256`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTest } from './load';
import { stopAll } from './processes';
import { rolesReads } from './scenarios';
import { prepareGateway, RESULTS_DIR, startGatewayFor, startWorld } from './world';

const MEASURED_MS = 10_000;

interface Collection {
  atMs: number;
  kind: 'Scavenge' | 'Mark-Compact';
  pauseMs: number;
  heapAfterMb: number;
}

function collections(log: string): Collection[] {
  const line = /\s(\d+) ms: (Scavenge|Mark-Compact)\b[^,]*?[\d.]+ \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/;
  return log.split('\n').flatMap((text) => {
    const match = line.exec(text);
    return match ? [{ atMs: Number(match[1]), kind: match[2] as Collection['kind'], heapAfterMb: Number(match[3]), pauseMs: Number(match[4]) }] : [];
  });
}

async function main(): Promise<void> {
  const entitlements = process.argv.includes('--entitlements');
  const inProcess = process.argv.includes('--snapshot-in-process') ? ['--require', join(__dirname, 'snapshot-in-process.js')] : [];
  const flags = [...process.argv.slice(2).filter((argument) => argument !== '--entitlements' && argument !== '--snapshot-in-process'), ...inProcess];
  prepareGateway();
  const world = await startWorld();
  const gateway = await startGatewayFor(world, 'warn', 'gc-trace', ['--trace-gc', ...flags], { env: entitlements ? { ENTITLEMENTS: 'on' } : {} });
  const requests = rolesReads(world.userTokens);
  await loadTest(gateway.url, requests, { connections: 50, durationS: 5 });
  const load = await loadTest(gateway.url, requests, { connections: 50, durationS: MEASURED_MS / 1000 });
  await stopAll();
  const all = collections(readFileSync(join(RESULTS_DIR, 'gc-trace.log.tmp'), 'utf8'));
  if (all.length === 0) throw new Error('the gateway logged no collection: was --trace-gc refused?');
  const measured = all.filter((collection) => collection.atMs > all[all.length - 1].atMs - MEASURED_MS);
  const summary = (['Scavenge', 'Mark-Compact'] as const).map((kind) => {
    const ofKind = measured.filter((collection) => collection.kind === kind);
    const pauses = ofKind.reduce((sum, collection) => sum + collection.pauseMs, 0);
    return `${kind} ${ofKind.length}x ${pauses.toFixed(0)} ms${ofKind.length > 0 ? `, ${ofKind[ofKind.length - 1].heapAfterMb} MB after the last` : ''}`;
  });
  console.log(`ENTITLEMENTS=${entitlements ? 'on' : 'off'} ${flags.join(' ')}: ${load.rps.toFixed(0)} req/s; in the last 10 s: ${summary.join('; ')}`);
}

main().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
