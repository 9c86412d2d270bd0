import type { FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import { EmulatorContext } from '../context';
import { buildEmulatorApp } from '../emulator';
import { resolveOptions } from '../options';
import type { TokenClaimsMode } from '../schemas/control.schemas';
import { USER_BOB } from '../seed';

describe('token claims setting', () => {
  const apps: FastifyInstance[] = [];

  async function emulatorApp(tokenClaims?: TokenClaimsMode) {
    const ctx = await EmulatorContext.create(resolveOptions({ tokenClaims }));
    const app = buildEmulatorApp(ctx);
    apps.push(app);
    const mint = async () =>
      (await app.inject({ method: 'POST', url: '/_emulator/tokens', payload: { userId: USER_BOB } })).json().claims;
    const signIn = async () => {
      const answer = await app.inject({
        method: 'POST',
        url: '/identity/resources/auth/v1/user',
        payload: { email: 'bob@acme.test', password: 'frontegg-dev-password' },
      });
      return decodeJwt(answer.json().accessToken);
    };
    const settings = (payload: object) => app.inject({ method: 'PUT', url: '/_emulator/settings', payload });
    const vendorConfig = async () => {
      const auth = { authorization: `Bearer ${ctx.vendorTokens.issue().token}` };
      return (await app.inject({ method: 'GET', url: '/identity/resources/configurations/v1', headers: auth })).json();
    };
    return { mint, signIn, settings, vendorConfig, reset: () => app.inject({ method: 'POST', url: '/_emulator/reset' }) };
  }

  afterAll(() => Promise.all(apps.map((app) => app.close())));

  it("'identity-only' leaves roles and permissions out of sign-ins and minted tokens, until reset", async () => {
    const emulator = await emulatorApp();
    expect(await emulator.mint()).toMatchObject({ roles: ['Member'] });

    expect((await emulator.settings({ tokenClaims: 'identity-only' })).statusCode).toBe(204);
    for (const claims of [await emulator.mint(), await emulator.signIn()]) {
      expect(claims).toMatchObject({ sub: USER_BOB, tenantId: 'tenant-acme' });
      expect(claims).not.toHaveProperty('roles');
      expect(claims).not.toHaveProperty('permissions');
    }
    expect(await emulator.vendorConfig()).toMatchObject({ addRolesToJwt: false, addPermissionsToJwt: false });

    await emulator.reset();
    expect(await emulator.signIn()).toMatchObject({ roles: ['Member'], permissions: expect.any(Array) });
    expect(await emulator.vendorConfig()).toMatchObject({ addRolesToJwt: true, addPermissionsToJwt: true });
  });

  it('starts in the mode of the tokenClaims option, which reset restores', async () => {
    const emulator = await emulatorApp('identity-only');
    expect(await emulator.signIn()).not.toHaveProperty('roles');
    await emulator.settings({ tokenClaims: 'full' });
    expect(await emulator.signIn()).toHaveProperty('roles');
    await emulator.reset();
    expect(await emulator.mint()).not.toHaveProperty('permissions');
  });

  it('refuses an unknown mode with 400', async () => {
    const emulator = await emulatorApp();
    expect((await emulator.settings({ tokenClaims: 'none' })).statusCode).toBe(400);
  });
});
