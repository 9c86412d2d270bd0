/**
 * Every server of the benchmark runs as a child process of its own, so its CPU time and resident
 * memory are its own and can be read from /proc while the load runs.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { ReadyMessage } from './servers/child';

export interface ServerProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Where its stdout and stderr go (the gateway's access log, for instance). */
  logFile?: string;
}

const running = new Set<ServerProcess>();
const START_TIMEOUT_MS = 30_000;

/** Only the environment each server is meant to see: nothing leaks in from the caller's shell. */
function baseEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...extra };
}

/**
 * A program that runs node, such as `valgrind --tool=callgrind` (bench/instructions.ts): the server's command becomes
 * `launcher... node [node flags] script`, in the same process (valgrind runs its guest in its own pid).
 */
export interface Launcher {
  command: string;
  args: string[];
  /** It runs node this many times slower: start-up may take as much longer. */
  slowdown: number;
  /** Node flags every server started through it gets (before its own). */
  nodeFlags?: string[];
  /** Environment every server started through it gets. */
  env?: Record<string, string>;
}

/** Starts one of bench/servers/*.ts (compiled) and waits until it reports its port. `execArgv`: node flags (--cpu-prof when profiling). */
export function forkServer(name: string, script: string, env: Record<string, string> = {}, execArgv: string[] = [], launcher?: Launcher): Promise<ServerProcess> {
  const through = launcher ? { execPath: launcher.command, execArgv: [...launcher.args, process.execPath, ...(launcher.nodeFlags ?? []), ...execArgv] } : { execArgv };
  const child = fork(join(__dirname, 'servers', `${script}.js`), [], { env: baseEnv({ ...launcher?.env, ...env }), ...through, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const startTimeoutMs = START_TIMEOUT_MS * (launcher?.slowdown ?? 1);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('exit', (code) => fail(new Error(`${name} exited during start-up (code ${code})`)));
    child.once('message', (message: ReadyMessage) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const server = { name, url: `http://127.0.0.1:${message.port}`, child };
      running.add(server);
      resolve(server);
    });
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`GET ${url} timed out`)));
    req.end();
  });
}

export function httpSend(method: string, url: string, headers: Record<string, string>, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * How production runs the gateway (the Dockerfile's CMD and `npm run start:prod`; a deployment test
 * keeps the three equal): an old generation capped at three times the gateway's live heap, so that
 * V8 collects it instead of growing it under load (resident memory otherwise climbed past 250 MB),
 * and young semi-spaces of 8 MB instead of 16: under a flood of distinct callers the young
 * generation alone took 17-24 MB more resident memory (test/operations/bounded-memory.e2e-spec.ts:
 * peak 164 → 147 MB for 20,000 large tokens, 193 → 179 MB for 50,000 tenants).
 */
/**
 * How production runs node (Dockerfile, `npm run start:prod`). No allocation-site pretenuring: after an entitlements
 * snapshot's load, V8 sometimes put request-path objects straight into the old generation, with a full collection every
 * 300 ms and 3.5 times the scavenge time (B 120 → 205 µs CPU a request, D 514 → 725); without it, 0 of 5 runs did, at
 * no measurable cost with entitlements off (docs/performance.md, issue 22).
 */
export const PRODUCTION_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8', '--no-allocation-site-pretenuring'];

export interface GatewayOptions {
  upstreamUrl: string;
  clientId: string;
  apiKey: string;
  logLevel: string;
  logFile: string;
  /** Extra node flags, such as --cpu-prof. */
  nodeArgs?: string[];
  /** Extra environment (bench/compare.ts's variants). */
  env?: Record<string, string>;
  /** Run node through this program (bench/instructions.ts: callgrind). */
  launcher?: Launcher;
}

/**
 * The built gateway (`node dist/main.js`, or its copy), configured as in production against the stand-in
 * (NODE_ENV unset, so plain-http upstream URLs are allowed). Ready once `GET /health/live`
 * answers: that probe makes no upstream call, so the cold start stays cold.
 */
export async function startGateway(mainJs: string, cwd: string, options: GatewayOptions): Promise<ServerProcess> {
  const port = await freePort();
  const log = openSync(options.logFile, 'w');
  const node = [process.execPath, ...PRODUCTION_NODE_FLAGS, ...(options.launcher?.nodeFlags ?? []), ...(options.nodeArgs ?? []), mainJs];
  const [command, ...args] = options.launcher ? [options.launcher.command, ...options.launcher.args, ...node] : node;
  const child = spawn(command, args, {
    cwd,
    stdio: ['ignore', log, log],
    env: baseEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      FRONTEGG_API_URL: options.upstreamUrl,
      FRONTEGG_APP_URL: options.upstreamUrl,
      FRONTEGG_CLIENT_ID: options.clientId,
      FRONTEGG_API_KEY: options.apiKey,
      FRONTEGG_AUDIENCE: options.clientId,
      LOG_LEVEL: options.logLevel,
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...options.launcher?.env,
      ...options.env,
    }),
  });
  closeSync(log);
  const server: ServerProcess = { name: 'gateway', url: `http://127.0.0.1:${port}`, child, logFile: options.logFile };
  running.add(server);
  const startTimeoutMs = START_TIMEOUT_MS * (options.launcher?.slowdown ?? 1);
  const deadline = Date.now() + startTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const live = await httpGet(`${server.url}/health/live`).catch(() => undefined);
    if (live?.status === 200) return server;
    await sleep(100);
  }
  await stop(server);
  const tail = readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n');
  throw new Error(`the gateway did not become live within ${startTimeoutMs} ms; its last output:\n${tail}`);
}

/** Stops a server this benchmark started (by its own child handle) and waits for it to exit. */
export function stop(server: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  running.delete(server);
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill(signal);
  });
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => stop(server)));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size in MB from /proc/<pid>/status (VmRSS), or undefined off Linux. */
export function residentMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat (USER_HZ 100). */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** CPU seconds the whole machine has been busy (all cores, /proc/stat), to see what else was running. */
export function machineBusySeconds(): number | undefined {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
    const [user, nice, system, , , irq, softirq, steal] = ticks;
    return (user + nice + system + irq + softirq + steal) / 100;
  } catch {
    return undefined;
  }
}

/** Samples a process's resident memory while something runs. */
export class MemorySampler {
  readonly samples: number[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number, private readonly everyMs = 200) {}

  start(): this {
    this.timer = setInterval(() => {
      const mb = residentMb(this.pid);
      if (mb !== undefined) this.samples.push(mb);
    }, this.everyMs);
    return this;
  }

  stop(): { peakMb?: number; meanMb?: number } {
    clearInterval(this.timer);
    if (this.samples.length === 0) return {};
    return { peakMb: Math.max(...this.samples), meanMb: this.samples.reduce((a, b) => a + b, 0) / this.samples.length };
  }
}
