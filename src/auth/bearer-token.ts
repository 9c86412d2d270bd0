import type { IncomingMessage } from 'node:http';

/**
 * `none`: no Authorization header at all. `other`: one that carries no bearer token (another
 * scheme, empty, blanks): no credential for this gateway, yet a credential the client meant to
 * send, so it is never taken as "nothing sent" beside a session cookie (CONTRACT §8).
 */
export type BearerToken = { kind: 'none' } | { kind: 'other' } | { kind: 'invalid' } | { kind: 'token'; token: string };

const BEARER_SCHEME = /^Bearer +/i;
const SPACE = 0x20;

/**
 * Reads the only credential the gateway accepts: one `Authorization: Bearer` header (RFC 6750
 * §2.1). Node keeps just the first of repeated `Authorization` headers, so the raw list is
 * checked: two headers (or a bearer scheme without a token) are refused rather than guessed at.
 */
export function bearerTokenOf(request: IncomingMessage): BearerToken {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() === 'authorization') count++;
  }
  if (count > 1) return { kind: 'invalid' };
  if (count === 0) return { kind: 'none' };
  const header = request.headers.authorization ?? '';
  // The token's characters are checked by the verifier (token-verifier.service.ts), not here: a scan of a 1.2 KB
  // token was 4 % of a cached read's instructions, and a token it remembers was checked when first verified.
  const scheme = BEARER_SCHEME.exec(header);
  if (scheme) {
    let end = header.length;
    while (end > scheme[0].length && header.charCodeAt(end - 1) === SPACE) end--;
    if (end > scheme[0].length) return { kind: 'token', token: header.slice(scheme[0].length, end) };
  }
  // Another scheme (Basic, ...), or an empty header, carries no bearer token at all.
  return /^Bearer(\s|$)/i.test(header) ? { kind: 'invalid' } : { kind: 'other' };
}
