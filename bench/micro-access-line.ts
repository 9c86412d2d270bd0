/**
 * The access line (issue 23, "Access line") written the old way, `logger.info(fields, msg)` on the
 * access logger (pino walks the object and stringifies each nested one), against the precompiled
 * serializer of access-line.ts, alone, in one process, in alternating rounds (CPU µs per line,
 * medians over rounds), as bench/micro-libs.ts measures its pieces. Both build the line's object as
 * the onResponse hook does and write to a batched pino.destination like the gateway's stdout (here
 * /dev/null, 4 KiB batches), so what differs is the serialization alone; the same again to a
 * destination that only counts characters shows the serialization without the write.
 *
 *   node bench/dist/bench/micro-access-line.js   (build: npx tsc -p bench/tsconfig.json; needs dist/ from npm run build)
 *   MICRO_ROUNDS (default 7), MICRO_LINES (lines a round, default 100,000).
 */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { type DestinationStream } from 'pino';
import { compare } from './micro';

const dist = join(__dirname, '..', '..', '..', 'dist');
const { accessLineWriter } = require(join(dist, 'common/logging/access-line.js')) as typeof import('../src/common/logging/access-line');
type AccessLine = import('../src/common/logging/access-line').AccessLine;

const LINES = Number(process.env.MICRO_LINES ?? 100_000);

/** A signed-in read; the request id and the two durations change from line to line. */
const ids = Array.from({ length: 64 }, (_, i) => `${i.toString(16).padStart(8, '0')}-8c1e-4b7a-9d3f-2a6b5c4d3e2f`);
const responseTime = (i: number) => Math.round((i % 997) * 1.3) / 10;
const upstreamMs = (i: number) => Math.round((i % 331) * 2.7) / 10;

/** The old hook's call: the fields object, the message apart. */
function logOld(access: pino.Logger, i: number): void {
  const url = '/v1/roles';
  access.info(
    {
      req: { id: ids[i & 63], method: 'GET', url },
      res: { statusCode: 200 },
      responseTime: responseTime(i),
      userId: 'user-alice-0b1c2d3e',
      tenantId: 'tenant-acme-4f5a6b7c',
      route: '/v1/roles',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      upstreamCalls: 1,
      upstreamMs: upstreamMs(i),
    },
    `GET ${url} 200`,
  );
}

/** The new hook's call: the same fields, the message last. */
function writeNew(write: (line: AccessLine) => void, i: number): void {
  const url = '/v1/roles';
  write({
    req: { id: ids[i & 63], method: 'GET', url },
    res: { statusCode: 200 },
    responseTime: responseTime(i),
    userId: 'user-alice-0b1c2d3e',
    tenantId: 'tenant-acme-4f5a6b7c',
    route: '/v1/roles',
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    upstreamCalls: 1,
    upstreamMs: upstreamMs(i),
    msg: `GET ${url} 200`,
  });
}

/** The gateway's batched stdout (gateway-logger.ts), on /dev/null. */
function batched(): DestinationStream {
  return pino.destination({ dest: '/dev/null', sync: true, minLength: 4096 });
}

/** Both ways write the same text, but for the time (checked before measuring anything). */
function sameLine(): void {
  const written: string[] = [];
  const destination = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, done) {
      written.push(chunk.replace(/"time":\d+,/, ''));
      done();
    },
  });
  logOld(pino({ level: 'info' }, destination), 7);
  writeNew(accessLineWriter(destination), 7);
  if (written.length !== 2 || written[0] !== written[1]) throw new Error(`not the same line:\n${written.join('')}`);
}

/** Both ways to `destination`, the level checked as the hook checks it. */
function variants(destination: () => DestinationStream): Record<string, (n: number) => void> {
  const access = pino({ level: 'info' }, destination());
  const writeAccessLine = accessLineWriter(destination());
  return {
    'pino logger.info': (n) => {
      for (let i = 0; i < n; i++) if (access.isLevelEnabled('info')) logOld(access, i);
    },
    'access-line.ts': (n) => {
      for (let i = 0; i < n; i++) if (access.isLevelEnabled('info')) writeNew(writeAccessLine, i);
    },
  };
}

let written = 0;
/** A destination that only looks at the line: the serialization alone. */
const nowhere = (): DestinationStream => ({ write: (line: string) => (written += line.length) });

async function main(): Promise<void> {
  sameLine();
  await compare('batched', LINES, variants(batched), { unit: 'line' });
  await compare('no-op', LINES, variants(nowhere), { unit: 'line' });
  if (written === 0) throw new Error('nothing written');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
