// `npm run lint:openapi [file]`: Redocly's linter (its engine, @redocly/openapi-core, the one its CLI runs) with the
// project's redocly.yaml and .redocly.lint-ignore.yaml. Prints each problem, then a JSON line of all of them for the
// test that runs it; exits 1 when there is any, error or warning. ESM, as the library is: Jest runs it as a process.
import { lint, loadConfig } from '@redocly/openapi-core';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const file = process.argv[2] ?? join(root, 'openapi', 'gateway.json');
process.chdir(root); // the ignore file names documents relative to the configuration's folder
const config = await loadConfig({ configPath: join(root, 'redocly.yaml') });
const problems = (await lint({ ref: relative(root, file), config }))
  .filter((problem) => !problem.ignored)
  .map((problem) => ({ severity: problem.severity, rule: problem.ruleId, message: problem.message, at: problem.location[0]?.pointer }));
for (const { severity, rule, message, at } of problems) console.error(`${severity} ${rule} at ${at}: ${message}`);
console.log(JSON.stringify(problems));
process.exitCode = problems.length === 0 ? 0 : 1;
