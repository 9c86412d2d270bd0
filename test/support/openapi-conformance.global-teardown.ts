import { summarizeConformance } from './openapi-conformance.global';

export default function globalTeardown(): void {
  const { answers, pairs, mismatches } = summarizeConformance();
  if (answers === 0) return;
  const documented = pairs.filter((pair) => pair.startsWith('/') || /^[A-Z]+ \//.test(pair)).length;
  process.stdout.write(
    `\nOpenAPI conformance: ${answers} gateway answers checked against openapi/gateway.json, ` +
      `${pairs.length} distinct (operation, status) pairs (${documented} of documented operations), ${mismatches.length} mismatches` +
      ' (test-output/openapi-conformance/summary.json)\n',
  );
}
