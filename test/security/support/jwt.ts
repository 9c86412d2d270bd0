import { createHmac, createPublicKey, generateKeyPairSync, sign as rsaSign, type JsonWebKey } from 'node:crypto';

type Json = Record<string, unknown>;

export const b64url = (value: string | Buffer | Json | unknown[]): string =>
  Buffer.from(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value)).toString('base64url');

export const segmentsOf = (token: string) => {
  const [header, payload, signature] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString()) as Json,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString()) as Json,
    signature,
  };
};

/** A compact JWS from parts, signed or not by the caller. */
export const compact = (header: Json | string, payload: Json | string, signature = ''): string =>
  `${typeof header === 'string' ? header : b64url(header)}.${typeof payload === 'string' ? payload : b64url(payload)}.${signature}`;

/** The key-confusion forgery: an HMAC whose secret is public key material anyone can fetch. */
export function hmacToken(alg: 'HS256' | 'HS384' | 'HS512', secret: string | Buffer, header: Json, payload: Json): string {
  const signingInput = `${b64url({ ...header, alg })}.${b64url(payload)}`;
  const digest = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${signingInput}.${createHmac(digest, secret).update(signingInput).digest('base64url')}`;
}

/** An RS256 token signed with a key the attacker made (and may carry in the header). */
export function attackerToken(header: Json, payload: Json): { token: string; publicJwk: JsonWebKey } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingInput = `${b64url({ ...header, alg: 'RS256' })}.${b64url(payload)}`;
  const signature = rsaSign('sha256', Buffer.from(signingInput), privateKey).toString('base64url');
  return { token: `${signingInput}.${signature}`, publicJwk: publicKey.export({ format: 'jwk' }) };
}

/** The published key in every form an attacker could try as an HMAC secret. */
export function publicKeyForms(jwk: JsonWebKey & { kid?: string }): { spkiPem: string; pkcs1Pem: string; jwkJson: string } {
  const { kid: _kid, alg: _alg, use: _use, ...material } = jwk as JsonWebKey & { kid?: string; alg?: string; use?: string };
  const key = createPublicKey({ key: material, format: 'jwk' });
  return {
    spkiPem: key.export({ type: 'spki', format: 'pem' }).toString(),
    pkcs1Pem: key.export({ type: 'pkcs1', format: 'pem' }).toString(),
    jwkJson: JSON.stringify(jwk),
  };
}
