import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Level, type Logger } from 'pino';
import pinoPretty from 'pino-pretty';
import type { LogFormat } from '../../config/gateway-config';
import { accessLineWriter, type AccessLineWriter } from './access-line';

/** Paths pino must never print: credentials in and out of the gateway. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-access-token"]',
  'res.headers["set-cookie"]',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.accessToken',
  '*.refreshToken',
  '*.idToken',
  '*.clientSecret',
  '*.password',
];

/** Log lines are written in batches of this many bytes at least, and at least this often. */
const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 100;

/**
 * Standard output, written in batches: a busy gateway makes one write per few kilobytes instead
 * of one per line (a syscall per request showed in profiles), and a quiet one still writes every
 * LOG_FLUSH_MS. Synchronous, as pino's default: an asynchronous writer fell behind a busy gateway
 * (one 16 KiB write per event-loop turn) and its buffer grew by megabytes a second. What is left
 * is written when the process exits. When stdout was replaced in-process (tests capturing the
 * output), the replacement is written to, as pino itself does.
 */
export function stdoutDestination(): DestinationStream {
  const replaced = process.stdout.write !== Object.getPrototypeOf(process.stdout).write;
  return replaced ? process.stdout : batchedStdout();
}

let stdout: ReturnType<typeof pino.destination> | undefined;

/** One buffer for file descriptor 1 in the whole process, however many apps it starts. */
function batchedStdout(): DestinationStream {
  if (!stdout) {
    const destination = pino.destination({ dest: 1, sync: true, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS });
    // pino flushes asynchronous destinations at exit, not batched synchronous ones: the last lines would stay behind.
    process.once('exit', () => destination.flushSync());
    stdout = destination;
  }
  return stdout;
}

/** Writes what the batched stdout holds now, so that text printed next comes after it. */
export function flushLogs(): void {
  stdout?.flushSync();
}

export interface GatewayLoggers {
  /** Everything but the access log, redacted. */
  app: Logger;
  /**
   * The access log's level, and its writer in LOG_FORMAT=pretty. One line per request, built field by field from
   * values that are never secret (see access-log.ts).
   */
  access: Logger;
  /** LOG_FORMAT=json: writes the access line to the access logger's destination without pino (see access-line.ts). */
  accessLine?: AccessLineWriter;
}

export function createLoggers(level: string, format: LogFormat = 'json', destination?: DestinationStream): GatewayLoggers {
  const appOptions = { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  if (format === 'pretty') {
    return { app: pino(appOptions, readableLines(APP_LINE, destination)), access: pino({ level }, readableLines(ACCESS_LINE, destination)) };
  }
  const output = destination ?? stdoutDestination();
  return { app: pino(appOptions, output), access: pino({ level }, output), accessLine: accessLineWriter(output) };
}

/** `10:42:07.123 INFO [Sessions] signed in {"userId":"…"}`: the message first, the other fields on the same line. */
const APP_LINE = { messageFormat: '{if context}[{context}] {end}{msg}', ignore: 'pid,hostname,context' };
/** `10:42:07.123 INFO GET /v1/me 200 4.2 ms user-alice@tenant-acme`: what a person scans for; the JSON format has every field. */
const ACCESS_LINE = { messageFormat: '{msg} {responseTime} ms{if userId} {userId}@{tenantId}{end}', include: 'level,time' };

/**
 * LOG_FORMAT=pretty (local mode's default at a terminal): pino-pretty in-process, written at once. Redaction has run
 * before a line gets here, so the readable form shows exactly what the JSON form would.
 */
function readableLines(line: { messageFormat: string; ignore?: string; hideObject?: boolean }, destination: DestinationStream | number = 1): DestinationStream {
  const colorize = destination === 1 && process.stdout.isTTY === true;
  return pinoPretty({ ...line, colorize, translateTime: 'SYS:HH:MM:ss.l', singleLine: true, sync: true, destination });
}

/** The contexts Nest logs its start-up under. */
const NEST_START_UP_CONTEXTS = new Set(['NestFactory', 'InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestApplication']);

/**
 * Nest's logger (its own messages and every `new Logger(context)` in the gateway) on pino. Takes
 * Nest's calling conventions: `(message, context)`, `(message, stack, context)` for errors, and
 * the gateway's `({ fields }, message, context)`.
 */
export class GatewayLogger implements LoggerService {
  /**
   * @param quietFramework Nest's own start-up lines (modules loaded, routes mapped) at `debug` instead of `info`: for a
   *   person reading a terminal (LOG_FORMAT=pretty) they bury what matters; JSON logs keep them as they are.
   */
  constructor(
    private readonly logger: Logger,
    private readonly quietFramework = false,
  ) {}

  log(message: unknown, ...rest: unknown[]): void {
    const context = rest[rest.length - 1];
    this.write(this.quietFramework && NEST_START_UP_CONTEXTS.has(context as string) ? 'debug' : 'info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(level: Level, message: unknown, rest: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    // Nest appends the context (the logger's name) as the last argument.
    const fields: Record<string, unknown> = rest.length > 0 ? { context: rest[rest.length - 1] } : {};
    const extra = rest.slice(0, -1);
    if (message instanceof Error) {
      this.logger[level]({ ...fields, err: message });
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ ...fields, ...message }, ...(extra as [string]));
    } else if (level === 'error' && typeof extra[0] === 'string' && /\n\s*at /.test(extra[0])) {
      // Nest's exception handlers pass (message, stack): keep the stack as an error's.
      const err = new Error(String(message));
      err.stack = extra[0];
      this.logger.error({ ...fields, err });
    } else {
      this.logger[level](fields, String(message), ...extra);
    }
  }
}
