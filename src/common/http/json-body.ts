import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProblemException } from '../problems/problem.exception';

/** Deeper than any body the gateway reads (metadata included); deep enough trees overflow the validators' recursion. */
export const MAX_JSON_DEPTH = 32;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

type Done = (error: Error | null, body?: unknown) => void;

/**
 * The only body parser of the gateway: `application/json`, read as bytes and decoded as strict
 * UTF-8 (RFC 8259 §8.1: bytes that are not UTF-8 are a `400`, never silently replaced), parsed by
 * Fastify's secure parser with `__proto__` and `constructor.prototype` keys refused, and nested at
 * most MAX_JSON_DEPTH levels, so that no later recursion (validation, transformation) can overflow.
 */
export function registerJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  const secureParse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request: FastifyRequest, bytes: Buffer, done: Done) => {
    let text: string;
    try {
      text = strictUtf8.decode(bytes);
    } catch {
      done(ProblemException.badRequest('body is not valid UTF-8'));
      return;
    }
    secureParse(request, text, (error: Error | null, body?: unknown) => {
      if (error) {
        done(error);
      } else if (depthOf(body) > MAX_JSON_DEPTH) {
        done(ProblemException.badRequest(`body is nested deeper than ${MAX_JSON_DEPTH} levels`));
      } else {
        done(null, body);
      }
    });
  });
}

/** Nesting depth of a parsed JSON value, iteratively (a recursive walk is what must not overflow). */
export function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const level = depth + 1;
    if (level > deepest) deepest = level;
    if (deepest > MAX_JSON_DEPTH) return deepest;
    for (const child of Object.values(current)) stack.push([child, level]);
  }
  return deepest;
}
