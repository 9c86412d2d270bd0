import { hostname } from 'node:os';
import fastJson from 'fast-json-stringify';
import pino, { type DestinationStream } from 'pino';

/** The access line's own fields, in the order they are written: what registerAccessLog gives pino in the pretty format. */
export interface AccessLine {
  req: { id: string; method: string; url: string };
  res: { statusCode: number };
  responseTime: number;
  userId?: string;
  tenantId?: string;
  route: string | null;
  traceId?: string;
  upstreamCalls: number;
  upstreamMs: number;
  msg: string;
}

/** Writes one access line at info; the caller has checked the level. */
export type AccessLineWriter = (line: AccessLine) => void;

/**
 * The line's fixed shape, compiled once into one function, where pino walks every line's object key by key and hands
 * each nested object to a generic stringifier: 1.3–1.5 µs a line instead of 2.1–2.3 µs, and 2.6–2.9 instead of 4.1–4.2
 * µs with the batched write (bench/micro-access-line.ts, 3 runs). A hand-written template measured 1.06 µs against
 * this 1.25 µs in one run: not enough less to keep escaping by hand. Properties are written in this order; optional
 * ones are left out when undefined, as pino (JSON.stringify) leaves them out. Strings are escaped as JSON.stringify escapes them, lone surrogates included, so
 * every line is well-formed UTF-8 (pino left them raw in short top-level strings, and stdout got U+FFFD).
 */
const serializeAccessLine: (line: AccessLine) => string = fastJson({
  type: 'object',
  properties: {
    req: {
      type: 'object',
      properties: { id: { type: 'string' }, method: { type: 'string' }, url: { type: 'string' } },
      required: ['id', 'method', 'url'],
    },
    res: { type: 'object', properties: { statusCode: { type: 'integer' } }, required: ['statusCode'] },
    responseTime: { type: 'number' },
    userId: { type: 'string' },
    tenantId: { type: 'string' },
    route: { type: 'string', nullable: true },
    traceId: { type: 'string' },
    upstreamCalls: { type: 'integer' },
    upstreamMs: { type: 'number' },
    msg: { type: 'string' },
  },
  // fast-json-stringify writes required properties first: only the leading two are declared so, to keep the order.
  required: ['req', 'res'],
});

/**
 * The access line as pino would write it at info (`level`, `time`, then pino's base bindings `pid` and `hostname`,
 * then the line's fields, `msg` last), written to `destination` with one write, as pino does: the same batched
 * stdout as every other line, so lines keep their order.
 */
export function accessLineWriter(destination: DestinationStream): AccessLineWriter {
  const levelAndTime = `{"level":${pino.levels.values.info},"time":`;
  const bindings = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())},`;
  return (line) => {
    // The serialized fields without their opening brace, after pino's own fields.
    destination.write(levelAndTime + Date.now() + bindings + serializeAccessLine(line).slice(1) + '\n');
  };
}
