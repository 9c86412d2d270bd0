import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';
import { cleanEnvironment, freePort, runBuiltGateway, type RunningProcess } from '../support/processes';
import type { RunningEmulator } from '../../src/emulator';

export interface GatewayProcess extends RunningProcess {
  url: string;
  stop: () => Promise<number | null>;
}

/** A built gateway process pointed at `emulator`, listening on a free port, ready when this resolves. */
export async function startGatewayProcess(emulator: RunningEmulator, environment: Record<string, string> = {}): Promise<GatewayProcess> {
  const port = await freePort();
  const gateway = runBuiltGateway(
    cleanEnvironment({
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      ...emulator.gatewayEnvironment,
      ...environment,
    }),
  );
  await gateway.waitFor('Nest application successfully started');
  const stop = async () => {
    if (gateway.child.exitCode === null) gateway.child.kill('SIGTERM');
    return gateway.exited;
  };
  return { ...gateway, url: `http://127.0.0.1:${port}`, stop };
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(port, '127.0.0.1');
  });
}

/** Fails with a clear message, never skips, when the machine's Redis is not there. */
export async function requireRedis(port = 6379): Promise<void> {
  if (!(await isListening(port))) {
    throw new Error(`These tests need Redis on 127.0.0.1:${port}. Start one: redis-server --daemonize yes --port ${port} --save "" --appendonly no (.ci/run does)`);
  }
}

/** A throwaway redis-server of the test's own, on a free port, that the test may kill. */
export async function startOwnRedis(port?: number): Promise<{ port: number; process: ChildProcess; kill: () => Promise<void> }> {
  try {
    execFileSync('redis-server', ['--version']);
  } catch {
    throw new Error('redis-server is not installed: apt-get install redis-server (.ci/run does)');
  }
  const chosen = port ?? (await freePort());
  const child = spawn('redis-server', ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 50 && !(await isListening(chosen)); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { port: chosen, process: child, kill: async () => (child.kill('SIGKILL'), exited) };
}
