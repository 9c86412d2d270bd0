import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, Socket } from 'node:net';
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
      FRONTEGG_API_URL: emulator.url,
      FRONTEGG_APP_URL: emulator.url,
      FRONTEGG_CLIENT_ID: emulator.clientId,
      FRONTEGG_API_KEY: emulator.apiKey,
      FRONTEGG_AUDIENCE: emulator.audience,
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

export interface RedisProxy {
  port: number;
  /** Forwards both ways at once (a healthy Redis). */
  pass: () => void;
  /** Holds everything both ways, connections accepted and never answered, like a frozen Redis; `pass()` releases it in order. */
  silence: () => void;
  /** Delivers every answer `delayMs` late, in order (a Redis slower than the command timeout). */
  slow: (delayMs: number) => void;
  close: () => Promise<void>;
}

/**
 * A TCP proxy in front of a real Redis that the test can make silent or slow, keeping each
 * connection's bytes in order (a silent Redis answers late, never out of order).
 */
export async function startRedisProxy(targetPort: number): Promise<RedisProxy> {
  let mode: { kind: 'pass' } | { kind: 'silent' } | { kind: 'slow'; delayMs: number } = { kind: 'pass' };
  const pumps = new Set<() => void>();
  const sockets = new Set<Socket>();

  /** One direction of one connection: chunks leave in arrival order, each at its release time. */
  const pipe = (from: Socket, to: Socket, answers: boolean) => {
    const queue: { chunk: Buffer; releaseAt: number }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      clearTimeout(timer);
      timer = undefined;
      if (mode.kind === 'pass') for (const item of queue) item.releaseAt = Math.min(item.releaseAt, Date.now());
      while (queue.length > 0 && queue[0].releaseAt <= Date.now()) to.write(queue.shift()!.chunk);
      if (queue.length > 0 && Number.isFinite(queue[0].releaseAt)) timer = setTimeout(pump, queue[0].releaseAt - Date.now());
    };
    from.on('data', (chunk: Buffer) => {
      const delay = mode.kind === 'silent' ? Number.POSITIVE_INFINITY : mode.kind === 'slow' && answers ? mode.delayMs : 0;
      queue.push({ chunk, releaseAt: Date.now() + delay });
      pump();
    });
    pumps.add(pump);
    from.once('close', () => (clearTimeout(timer), pumps.delete(pump), to.destroy()));
  };

  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => socket.destroy());
      socket.once('close', () => sockets.delete(socket));
    }
    pipe(client, upstream, false);
    pipe(upstream, client, true);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const setMode = (next: typeof mode) => {
    mode = next;
    for (const pump of pumps) pump();
  };
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    pass: () => setMode({ kind: 'pass' }),
    silence: () => setMode({ kind: 'silent' }),
    slow: (delayMs) => setMode({ kind: 'slow', delayMs }),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
