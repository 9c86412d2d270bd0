import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { registerGatewayOrigin } from './openapi-conformance';

export const BUILT_MAIN = join(__dirname, '../../dist/main.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** The environment without anything that would point the gateway at a real Frontegg. */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(FRONTEGG_|EMULATOR_|NODE_ENV$|PORT$|HOST$|REDIS_URL$)/.test(name)),
  );
  return { ...environment, ...extra };
}

export interface RunningProcess {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  waitFor: (text: string | RegExp, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

/** Runs the built gateway (`npm run build` first: the test command does). */
export function runBuiltGateway(environment: NodeJS.ProcessEnv): RunningProcess {
  if (!existsSync(BUILT_MAIN)) throw new Error(`${BUILT_MAIN} is missing: run \`npm run build\` before these tests`);
  // Its answers to fetch are checked against openapi/gateway.json (test/support/openapi-conformance.setup.ts).
  if (environment.PORT) registerGatewayOrigin(`http://127.0.0.1:${environment.PORT}`);
  const child = spawn(process.execPath, [BUILT_MAIN], { env: environment });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (text: string | RegExp, timeoutMs = 15_000) =>
    new Promise<string>((resolve, reject) => {
      const found = () => (typeof text === 'string' ? output.includes(text) : text.test(output));
      if (found()) return resolve(output);
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${text}; output so far:\n${output}`)), timeoutMs);
      const check = () => {
        if (!found()) return;
        clearTimeout(timer);
        resolve(output);
      };
      child.stdout.on('data', check);
      child.stderr.on('data', check);
      child.once('exit', () => {
        clearTimeout(timer);
        if (found()) resolve(output);
        else reject(new Error(`process exited before printing ${text}; output:\n${output}`));
      });
    });
  return { child, output: () => output, waitFor, exited };
}
