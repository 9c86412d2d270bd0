import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { SigningKeyRing } from './keys';
import type { TokenClaimsMode } from './schemas/control.schemas';
import { TENANT_GLOBEX, USER_ALICE, USER_ERIN, USER_LOCKED } from './seed';
import { IdentityStore } from './state';
import { UserTokenIssuer } from './tokens';

const ISSUER = 'http://emulator.test';
const AUDIENCE = 'client-under-test';

describe('UserTokenIssuer', () => {
  let store: IdentityStore;
  let keys: SigningKeyRing;
  let issuer: UserTokenIssuer;
  let claimsMode: TokenClaimsMode;

  const issue = (overrides: Partial<Parameters<UserTokenIssuer['issue']>[0]> = {}) =>
    issuer.issue({ user: store.findUser(USER_ERIN)!, ttlSeconds: 600, authTime: 1_700_000_000, ...overrides });
  const verify = (token: string) =>
    jwtVerify(token, createLocalJWKSet(keys.jwks()), { issuer: ISSUER, audience: AUDIENCE, algorithms: ['RS256'] });

  beforeAll(async () => {
    keys = await SigningKeyRing.create();
  });
  beforeEach(() => {
    store = new IdentityStore();
    keys.reset();
    claimsMode = 'full';
    issuer = new UserTokenIssuer(store, keys, AUDIENCE, () => ISSUER, () => claimsMode);
  });

  it('signs Frontegg-shaped claims for the default tenant with the current key', async () => {
    const { token, claims } = await issue();
    const { payload, protectedHeader } = await verify(token);
    expect(protectedHeader).toEqual({ alg: 'RS256', kid: keys.currentKey.kid, typ: 'JWT' });
    expect(payload).toEqual(claims);
    expect(payload).toMatchObject({
      sub: USER_ERIN,
      email: 'erin@shared.test',
      name: 'Erin Both',
      tenantId: 'tenant-acme',
      tenantIds: ['tenant-acme', TENANT_GLOBEX],
      roles: ['Member'],
      permissions: ['fe.secure.read.roles', 'app.reports.read'],
      type: 'userToken',
      iss: ISSUER,
      aud: AUDIENCE,
      auth_time: 1_700_000_000,
    });
    expect(payload.exp! - payload.iat!).toBe(600);
    expect(typeof payload.sid).toBe('string');
  });

  it('computes roles and permissions for the chosen tenant', async () => {
    const { claims } = await issue({ tenantId: TENANT_GLOBEX });
    expect(claims).toMatchObject({
      tenantId: TENANT_GLOBEX,
      roles: ['globex-support'],
      permissions: ['fe.secure.read.roles', 'fe.secure.read.users', 'fe.secure.write.users'],
    });
  });

  it("leaves roles and permissions out in 'identity-only' mode, read at each signing", async () => {
    claimsMode = 'identity-only';
    const { token, claims } = await issue();
    expect(claims).not.toHaveProperty('roles');
    expect(claims).not.toHaveProperty('permissions');
    expect(claims).toMatchObject({ sub: USER_ERIN, tenantId: 'tenant-acme', tenantIds: ['tenant-acme', TENANT_GLOBEX] });
    expect((await verify(token)).payload).toEqual(claims);

    claimsMode = 'full';
    expect((await issue()).claims).toMatchObject({ roles: ['Member'] });
  });

  it("lets overrides put a claim back in 'identity-only' mode", async () => {
    claimsMode = 'identity-only';
    const { claims } = await issue({ claims: { roles: ['Admin'] } });
    expect(claims.roles).toEqual(['Admin']);
    expect(claims).not.toHaveProperty('permissions');
  });

  it('signs for a locked user: the issuer checks membership only, as tokens issued before a lock exist', async () => {
    const { claims } = await issue({ user: store.findUser(USER_LOCKED)! });
    expect(claims).toMatchObject({ sub: USER_LOCKED, roles: ['Admin'] });
  });

  it('refuses a tenant the user is not a member of', async () => {
    await expect(issue({ user: store.findUser(USER_ALICE)!, tenantId: TENANT_GLOBEX })).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('merges claim overrides, and removes claims set to null', async () => {
    const { token, claims } = await issue({ claims: { tenantId: 'tenant-forged', sub: null, extra: 1 } });
    expect(claims).toMatchObject({ tenantId: 'tenant-forged', extra: 1 });
    expect(claims).not.toHaveProperty('sub');
    expect((await verify(token)).payload).toEqual(claims);
  });

  it('merges header overrides, and removes parameters set to null', async () => {
    const wrongKid = decodeProtectedHeader((await issue({ header: { kid: 'unknown-kid' } })).token);
    expect(wrongKid.kid).toBe('unknown-kid');
    const noKid = decodeProtectedHeader((await issue({ header: { kid: null } })).token);
    expect(noKid).toEqual({ alg: 'RS256', typ: 'JWT' });
  });

  it('refuses to set alg through the header', async () => {
    await expect(issue({ header: { alg: 'HS256' } })).rejects.toMatchObject({ statusCode: 400 });
  });

  it('signs an already expired token when asked', async () => {
    const { token } = await issue({ ttlSeconds: -60 });
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it("'foreign' keeps the current kid but fails on the signature", async () => {
    const { token } = await issue({ signWith: 'foreign' });
    expect(decodeProtectedHeader(token).kid).toBe(keys.currentKey.kid);
    await expect(verify(token)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
  });

  it("'none' is unsigned and refused by an RS256 verifier", async () => {
    const { token } = await issue({ signWith: 'none' });
    expect(decodeProtectedHeader(token).alg).toBe('none');
    expect(token.endsWith('.')).toBe(true);
    await expect(verify(token)).rejects.toThrow();
  });

  it("'hs256-public-key' is an HMAC keyed with the public key PEM", async () => {
    const { token } = await issue({ signWith: 'hs256-public-key' });
    expect(decodeProtectedHeader(token).alg).toBe('HS256');
    const hmacKey = new TextEncoder().encode(keys.currentKey.publicPem);
    await expect(jwtVerify(token, hmacKey)).resolves.toBeDefined();
    await expect(verify(token)).rejects.toThrow();
  });
});
