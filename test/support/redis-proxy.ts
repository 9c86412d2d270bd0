import { connect, createServer, type Socket } from 'node:net';

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
