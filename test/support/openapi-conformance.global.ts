/**
 * Jest globalSetup / globalTeardown: empties the answers of the last run, and at the end sums up
 * what every worker checked (test/support/openapi-conformance.ts): how many answers, how many
 * distinct (operation, status) pairs, and every mismatch. Written to
 * test-output/openapi-conformance/summary.json and printed as one line.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CONFORMANCE_DIR = join(__dirname, '..', '..', 'test-output', 'openapi-conformance');

export function clearConformanceRecords(): void {
  rmSync(CONFORMANCE_DIR, { recursive: true, force: true });
  mkdirSync(CONFORMANCE_DIR, { recursive: true });
}

export interface ConformanceSummary {
  answers: number;
  pairs: string[];
  mismatches: { operation: string; status: number; method: string; path: string; mismatches: string[] }[];
}

export function summarizeConformance(): ConformanceSummary {
  const records = readdirSync(CONFORMANCE_DIR)
    .filter((name) => name.startsWith('answers-') && name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(CONFORMANCE_DIR, name), 'utf8').split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as ConformanceSummary['mismatches'][number]);
  const pairs = [...new Set(records.map((record) => `${record.operation} ${record.status}`))].sort();
  const mismatches = records.filter((record) => record.mismatches.length > 0);
  const summary = { answers: records.length, pairs, mismatches };
  writeFileSync(join(CONFORMANCE_DIR, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
