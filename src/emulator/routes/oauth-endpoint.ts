import type { FastifyInstance } from 'fastify';

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'unsupported_response_type';

/** An OAuth error answer (RFC 6749 §4.1.2.1 and §5.2): `{ error, error_description }`. */
export class OAuthError extends Error {
  constructor(
    readonly statusCode: 400 | 401,
    readonly code: OAuthErrorCode,
    readonly description: string,
  ) {
    super(description);
  }
}

export const invalidRequest = (description: string) => new OAuthError(400, 'invalid_request', description);
export const invalidGrant = (description: string) => new OAuthError(400, 'invalid_grant', description);
export const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description);

export type Fields = Record<string, string>;

/** A form or query's fields; a repeated one is an error (RFC 6749 §3.1, §3.2). */
export function parseFields(entries: Iterable<[string, string]>): Fields {
  const fields: Fields = {};
  for (const [name, value] of entries) {
    if (name in fields) throw invalidRequest(`${name} is repeated`);
    fields[name] = value;
  }
  return fields;
}

/** HTTP Basic client credentials (RFC 6749 §2.3.1: both parts form-urlencoded before Basic encoding), when sent. */
export function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const [scheme, credentials] = authorization?.split(' ') ?? [];
  if (scheme?.toLowerCase() !== 'basic' || !credentials) return undefined;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalidClient('malformed Basic credentials');
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
  try {
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    throw invalidClient('malformed Basic credentials');
  }
}

/**
 * What every OAuth endpoint of the emulator shares, in its own plugin scope: form bodies parsed
 * into fields, and every refusal answered as an OAuth error body, not Frontegg's `{ errors }`.
 */
export function handleOAuthFormsAndErrors(route: FastifyInstance): void {
  route.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body: string, done) => {
    try {
      done(null, parseFields(new URLSearchParams(body)));
    } catch (error) {
      done(error as OAuthError, undefined);
    }
  });
  route.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    if (!(error instanceof OAuthError) && (error.statusCode ?? 500) >= 500) throw error;
    const refusal = error instanceof OAuthError ? error : invalidRequest(error.message);
    if (refusal.statusCode === 401) reply.header('www-authenticate', 'Basic realm="emulator"');
    return reply
      .code(refusal.statusCode)
      .header('cache-control', 'no-store')
      .send({ error: refusal.code, error_description: refusal.description });
  });
}
