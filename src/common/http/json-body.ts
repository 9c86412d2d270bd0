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
 *
 * Measured against Fastify's own parser (issue 14, 2026-12-02 09:00 UTC, shared 2-core machine,
 * load average 3-4): Fastify's default, with `onProtoPoisoning` and `onConstructorPoisoning` set to
 * 'error' and the bodyLimit, is this same secure parser on a string that Fastify decoded with
 * replacement characters, and it has neither of the two checks here: invalid UTF-8 reaches the
 * identity API as U+FFFD, and any depth goes through (test/security/input-attacks.e2e-spec.ts
 * refuses both). What the two checks cost: scenario D (PATCH /v1/me), bench/compare.ts, two
 * alternating runs of 20 s, server CPU µs per request: 564 / 594 here against 654 / 554 with
 * Fastify's parser (noise); the parser alone (bench/micro-libs.ts, medians of 7 rounds): D's body
 * 0.94 against 0.67 µs, an 8 KB metadata body 51.5 against 34.1 µs. Kept: 0.3 µs a write for
 * two checks the library does not make.
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
