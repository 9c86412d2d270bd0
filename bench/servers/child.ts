import type { Server } from 'node:http';

/** The message a server child sends its parent once it listens. */
export interface ReadyMessage {
  ready: true;
  port: number;
}

/**
 * Listens on a free 127.0.0.1 port and tells the parent which (over the fork IPC channel).
 * A child never outlives the benchmark: when the parent goes away, so does the child.
 */
export function listenForParent(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => tellParent(server));
}

/**
 * Tells the parent the port a listening server got (for a server a framework started itself, as
 * the NestJS ceilings do), and ties the child's life to the parent's.
 */
export function tellParent(server: Server): void {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  const message: ReadyMessage = { ready: true, port: address.port };
  process.send?.(message);
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}
