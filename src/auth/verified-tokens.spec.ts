import type { Principal } from './principal';
import { tokenDigest, VERIFIED_TOKEN_MAX_AGE_MS, VERIFIED_TOKENS_MAX, VERIFIED_TOKENS_MAX_BYTES, VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  let now = 1_000_000;
  beforeEach(() => (now = 1_000_000));
  const memory = () => new VerifiedTokens(() => now);
  const principal = (userId: string, permissions: string[] = ['fe.secure.read.roles']): Principal => ({
    userId,
    tenantId: 'tenant-1',
    tenantIds: ['tenant-1'],
    type: 'userToken',
    claimedGrants: { roleKeys: ['member'], permissions },
  });
  /** A token-like text of about 8 KB (the most the verifier reads), distinct per i. */
  const largeToken = (i: number) => `eyJhbGciOiJSUzI1NiJ9.${`${i}.`.padEnd(8_000, 'x')}.signature`;
  const later = (ms = 30_000) => now + ms;

  describe('keyed by a digest of the whole token', () => {
    it('is 43 characters for any token, and another for any other text', () => {
      const token = largeToken(1);
      expect(tokenDigest(token)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(tokenDigest(token)).toBe(tokenDigest(`${token}`));
      expect(tokenDigest(largeToken(2))).not.toBe(tokenDigest(token));
      // One character changed anywhere, at the end of a long token included, is another key.
      expect(tokenDigest(`${token.slice(0, -1)}X`)).not.toBe(tokenDigest(token));
      expect(tokenDigest(`X${token.slice(1)}`)).not.toBe(tokenDigest(token));
    });

    it('answers only the token remembered, never a tampered copy', () => {
      const tokens = memory();
      const token = largeToken(1);
      const alice = principal('alice');
      tokens.remember(tokenDigest(token), alice, later());
      expect(tokens.principalOf(tokenDigest(token))).toBe(alice);
      expect(tokens.principalOf(tokenDigest(`${token.slice(0, -4)}AAAA`))).toBeUndefined();
    });

    it('keeps no token text: what is held does not grow with the token', () => {
      const small = memory();
      const large = memory();
      small.remember(tokenDigest('a.b.c'), principal('alice'), later());
      large.remember(tokenDigest(largeToken(1)), principal('alice'), later());
      expect(large.usage).toEqual(small.usage);
    });
  });

  describe('bounded', () => {
    it(`in entries: at most ${VERIFIED_TOKENS_MAX}, the least recently used dropped first`, () => {
      const tokens = memory();
      const digests = Array.from({ length: VERIFIED_TOKENS_MAX + 1_000 }, (_, i) => tokenDigest(`token-${i}`));
      digests.slice(0, VERIFIED_TOKENS_MAX).forEach((digest, i) => tokens.remember(digest, principal(`user-${i}`), later()));
      expect(tokens.principalOf(digests[0])).toBeDefined(); // used again: kept
      digests.slice(VERIFIED_TOKENS_MAX).forEach((digest, i) => tokens.remember(digest, principal(`new-${i}`), later()));

      expect(tokens.usage.entries).toBe(VERIFIED_TOKENS_MAX);
      expect(tokens.principalOf(digests[0])).toBeDefined();
      expect(tokens.principalOf(digests[1])).toBeUndefined();
      expect(tokens.principalOf(digests.at(-1)!)).toBeDefined();
    });

    it(`in bytes: at most ${VERIFIED_TOKENS_MAX_BYTES / 1024 / 1024} MiB however large each caller's claims`, () => {
      const tokens = memory();
      // A token of about 8 KB that is nearly all permission keys: the most one principal can hold.
      const permissions = Array.from({ length: 300 }, (_, i) => `app.module-${i}.read`);
      for (let i = 0; i < 2_000; i++) tokens.remember(tokenDigest(`token-${i}`), principal(`user-${i}`, permissions), later());

      const { entries, bytes } = tokens.usage;
      expect(bytes).toBeLessThanOrEqual(VERIFIED_TOKENS_MAX_BYTES);
      expect(bytes).toBeGreaterThan(VERIFIED_TOKENS_MAX_BYTES * 0.9);
      expect(entries).toBeLessThan(1_000);
      expect(tokens.principalOf(tokenDigest('token-1999'))).toBeDefined();
      expect(tokens.principalOf(tokenDigest('token-0'))).toBeUndefined();
    });

    it('counts every string of the principal, at two bytes a character', () => {
      const tokens = memory();
      tokens.remember(tokenDigest('t'), principal('u', ['p'.repeat(10_000)]), later());
      expect(tokens.usage.bytes).toBeGreaterThan(20_000);
    });
  });

  describe('expired entries', () => {
    it('are never answered, and a lookup drops them', () => {
      const tokens = memory();
      const digest = tokenDigest('token');
      tokens.remember(digest, principal('alice'), later(1_000));
      now += 1_000;
      expect(tokens.principalOf(digest)).toBeUndefined();
      expect(tokens.usage.entries).toBe(0);
    });

    it('are swept by writes, at most once a maximum age, even when never looked up again', () => {
      const tokens = memory();
      for (let i = 0; i < 100; i++) tokens.remember(tokenDigest(`short-${i}`), principal(`user-${i}`), later(1_000));
      tokens.remember(tokenDigest('long'), principal('long'), later(10 * VERIFIED_TOKEN_MAX_AGE_MS));
      now += VERIFIED_TOKEN_MAX_AGE_MS - 1;
      tokens.remember(tokenDigest('next'), principal('next'), later());
      expect(tokens.usage.entries).toBe(102); // not yet a maximum age since the last sweep

      now += 1;
      tokens.remember(tokenDigest('after'), principal('after'), later());
      expect(tokens.usage.entries).toBe(3);
      expect(tokens.principalOf(tokenDigest('long'))).toBeDefined();
    });

    it('are not stored at all', () => {
      const tokens = memory();
      tokens.remember(tokenDigest('token'), principal('alice'), now);
      expect(tokens.usage.entries).toBe(0);
    });
  });
});
