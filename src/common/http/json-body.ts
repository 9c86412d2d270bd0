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
 * Fastify's parser (noise). The parser alone (bench/micro-libs.ts, medians of 7 rounds, noisy):
 * D's body 0.67-1.03 against 0.43-0.75 µs; a 1.9 KB metadata body 40-45 against 31-32 µs, of
 * which the strict decode costs no more than Fastify's (2.8-4.9 against 4.3-5.1 µs), the secure
 * parse is the same 23-28 µs, and the depth walk 3.3-3.8 µs (11.5-13 before depthOf was rewritten).
 * Kept: well under a µs on a typical write, for two checks the library does not make (with
 * Fastify's parser in their place, 11 of the 71 input-attack tests fail: 3 depth, 8 UTF-8).
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

/**
 * Nesting depth of a parsed JSON value, iteratively (a recursive walk is what must not overflow):
 * two parallel stacks of containers and their levels, scalars never pushed. A stack of
 * [value, depth] pairs filled from Object.values cost 11.5-13 µs on a 1.9 KB metadata body,
 * this 3.3-3.8 µs (2026-12-02, node 20, 20,000 calls, two runs).
 */
export function depthOf(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let deepest = 0;
  const containers: object[] = [value];
  const levels: number[] = [1];
  while (containers.length > 0) {
    const current = containers.pop()!;
    const level = levels.pop()!;
    if (level > deepest) {
      deepest = level;
      if (deepest > MAX_JSON_DEPTH) return deepest;
    }
    const children = Array.isArray(current) ? (current as unknown[]) : Object.values(current);
    for (let i = 0; i < children.length; i++) {
      const child = children[i];
      if (typeof child === 'object' && child !== null) {
        containers.push(child);
        levels.push(level + 1);
      }
    }
  }
  return deepest;
}
