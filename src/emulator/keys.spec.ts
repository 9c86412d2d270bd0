import { SigningKeyRing } from './keys';

const kidsOf = (ring: SigningKeyRing) => ring.jwks().keys.map((key) => key.kid);

describe('SigningKeyRing', () => {
  let ring: SigningKeyRing;
  beforeEach(async () => {
    ring = await SigningKeyRing.create();
  });

  it('publishes the current key as an RS256 signing JWK without private parts', () => {
    const [jwk] = ring.jwks().keys;
    expect(jwk).toMatchObject({ kty: 'RSA', kid: ring.currentKey.kid, alg: 'RS256', use: 'sig' });
    expect(jwk).not.toHaveProperty('d');
    expect(ring.currentKey.publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
  });

  it('rotation makes a new current key and keeps the previous one published', async () => {
    const original = ring.currentKey.kid;
    const { kid, previousKid } = await ring.rotate(false);
    expect(previousKid).toBe(original);
    expect(ring.currentKey.kid).toBe(kid);
    expect(kidsOf(ring)).toEqual([kid, original]);
  });

  it('rotation with retirePrevious unpublishes the previous key', async () => {
    const { kid } = await ring.rotate(true);
    expect(kidsOf(ring)).toEqual([kid]);
  });

  it('reset restores the original key as current and only published key', async () => {
    const original = ring.currentKey.kid;
    await ring.rotate(false);
    await ring.rotate(false);
    ring.reset();
    expect(ring.currentKey.kid).toBe(original);
    expect(kidsOf(ring)).toEqual([original]);
  });

  it('keeps the foreign key out of the JWKS and stable across calls', async () => {
    const foreign = await ring.foreignKey();
    expect(await ring.foreignKey()).toBe(foreign);
    expect(kidsOf(ring)).not.toContain(foreign.kid);
  });
});
