import type { FastifyReply } from 'fastify';
import type { CachedAnswer } from '../cache/read-through-cache';

/** What Fastify sets for an object it serializes itself: the answer's headers stay byte for byte the same. */
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

declare const jsonOf: unique symbol;
/** JSON text of a `T`: a route returning it still says what its body is. */
export type JsonText<T> = string & { readonly [jsonOf]?: T };

/**
 * The text of each cached value, keyed by the value object itself: the memory store hands every
 * hit the same object, so it is serialized once per cache entry; Redis hands a new object per
 * read, serialized once for that read, as before. Held weakly, it lives exactly as long as the
 * value, and it is never shared by two values, so never by two tenants. Its bytes are those the
 * memory store already counts for the entry (two per character of the same JSON): at most the
 * store's byte bound again. Cached values are never changed in place: every reader shares them.
 */
const texts = new WeakMap<object, string>();

/** `JSON.stringify(value)`, computed once per value object. */
export function serializedOnce<T extends object>(value: T): JsonText<T> {
  let text = texts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    texts.set(value, text);
  }
  return text as JsonText<T>;
}

/**
 * A cached read's answer, for a handler to return: its `Cache-Status`, and its value as JSON
 * serialized once per cache entry. Fastify sends a string with a JSON content type as it is, so
 * the bytes are those it would have serialized from the value (the routes have no response schema).
 */
export function cachedJsonReply<T extends object>(reply: FastifyReply, { value, cacheStatus }: CachedAnswer<T>): JsonText<T> {
  reply.header('Cache-Status', cacheStatus).type(JSON_CONTENT_TYPE);
  return serializedOnce(value);
}
