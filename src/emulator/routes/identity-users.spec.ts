import type { FastifyInstance } from 'fastify';
import { EmulatorContext } from '../context';
import { buildEmulatorApp } from '../emulator';
import { resolveOptions } from '../options';
import { TENANT_ACME, TENANT_GLOBEX, USER_ALICE, USER_BOB, USER_DISABLED, USER_ERIN } from '../seed';

describe('user management routes', () => {
  let ctx: EmulatorContext;
  let app: FastifyInstance;
  let auth: Record<string, string>;

  const post = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url, headers: { ...auth, ...headers } });
  const remove = (url: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'DELETE', url, headers: { ...auth, ...headers } });
  const acme = { 'frontegg-tenant-id': TENANT_ACME };

  beforeAll(async () => {
    ctx = await EmulatorContext.create(resolveOptions());
    app = buildEmulatorApp(ctx);
    await app.ready();
  });
  afterAll(() => app.close());
  beforeEach(() => {
    ctx.reset();
    auth = { authorization: `Bearer ${ctx.vendorTokens.issue().token}` };
  });

  it('lock and unlock set isLocked, answering 200 without a body', async () => {
    const locked = await post(`/identity/resources/users/v1/${USER_BOB}/lock`);
    expect([locked.statusCode, locked.body]).toEqual([200, '']);
    expect(ctx.store.findUser(USER_BOB)?.isLocked).toBe(true);
    expect((await post(`/identity/resources/users/v1/${USER_BOB}/unlock`)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_BOB)?.isLocked).toBe(false);
  });

  it('disable and enable change the membership of frontegg-tenant-id only', async () => {
    expect((await post(`/identity/resources/tenants/users/v1/${USER_ERIN}/disable`, acme)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_ERIN)?.tenants.map((membership) => membership.isDisabled)).toEqual([true, undefined]);
    expect((await post(`/identity/resources/tenants/users/v1/${USER_DISABLED}/enable`, acme)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_DISABLED)?.tenants[0].isDisabled).toBe(false);
  });

  it('disable needs frontegg-tenant-id (400) and a member of that tenant (404)', async () => {
    expect((await post(`/identity/resources/tenants/users/v1/${USER_BOB}/disable`)).statusCode).toBe(400);
    const outside = await post(`/identity/resources/tenants/users/v1/${USER_BOB}/disable`, {
      'frontegg-tenant-id': TENANT_GLOBEX,
    });
    expect([outside.statusCode, outside.json()]).toEqual([404, { errors: ['User not found'] }]);
  });

  it('DELETE removes the user from the tenant, and the whole user once it has no tenant left', async () => {
    expect((await remove(`/identity/resources/users/v1/${USER_ERIN}`, acme)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_ERIN)?.tenants.map((membership) => membership.tenantId)).toEqual([TENANT_GLOBEX]);
    expect((await remove(`/identity/resources/users/v1/${USER_BOB}`, acme)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_BOB)).toBeUndefined();
    expect((await remove(`/identity/resources/users/v1/${USER_ALICE}`)).statusCode).toBe(200);
    expect(ctx.store.findUser(USER_ALICE)).toBeUndefined();
  });

  it('answers 404 for an unknown user and 401 without the vendor token', async () => {
    expect((await post('/identity/resources/users/v1/user-nobody/lock')).statusCode).toBe(404);
    expect((await remove('/identity/resources/users/v1/user-nobody', acme)).statusCode).toBe(404);
    const anonymous = await app.inject({ method: 'POST', url: `/identity/resources/users/v1/${USER_BOB}/lock` });
    expect(anonymous.statusCode).toBe(401);
    expect(ctx.store.findUser(USER_BOB)?.isLocked).toBe(false);
  });
});
