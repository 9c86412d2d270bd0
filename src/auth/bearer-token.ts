import type { IncomingMessage } from 'node:http';

export type BearerToken = { kind: 'none' } | { kind: 'invalid' } | { kind: 'token'; token: string };

const BEARER = /^Bearer[ ]+([A-Za-z0-9._~+/-]+=*)[ ]*$/i;

/**
 * Reads the only credential the gateway accepts: one `Authorization: Bearer` header (RFC 6750
 * §2.1). Node keeps just the first of repeated `Authorization` headers, so the raw list is
 * checked: two headers (or a malformed one) are refused rather than guessed at.
 */
export function bearerTokenOf(request: IncomingMessage): BearerToken {
  let count = 0;
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    if (request.rawHeaders[i].toLowerCase() === 'authorization') count++;
  }
  if (count > 1) return { kind: 'invalid' };
  const header = request.headers.authorization;
  if (!header) return { kind: 'none' };
  const match = BEARER.exec(header);
  if (match) return { kind: 'token', token: match[1] };
  // Another scheme (Basic, ...) carries no bearer token at all.
  return /^Bearer(\s|$)/i.test(header) ? { kind: 'invalid' } : { kind: 'none' };
}
