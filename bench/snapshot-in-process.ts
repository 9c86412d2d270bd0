/**
 * Preload for bench/gc-trace.ts (`--snapshot-in-process`): an entitlements snapshot of BENCH_ENTITLEMENTS_TUPLES
 * tuples (100,000) parsed and indexed by the gateway's own parser at start and kept, in a gateway that runs with
 * ENTITLEMENTS=off: no download, no decision. It tells whether building the snapshot in the request-serving process is
 * enough to bring the garbage-collection state of issue 22 (docs/performance.md).
 */
import { join } from 'node:path';
import { entitlementsSnapshot } from './fixtures';

const { parseSnapshot } = require(join(__dirname, '..', 'gateway', 'entitlements', 'snapshot.js')) as typeof import('../src/entitlements/snapshot');
const body = JSON.parse(JSON.stringify(entitlementsSnapshot(Number(process.env.BENCH_ENTITLEMENTS_TUPLES ?? 100_000)))) as Parameters<typeof parseSnapshot>[0];
(globalThis as { keptSnapshot?: unknown }).keptSnapshot = parseSnapshot(body);
