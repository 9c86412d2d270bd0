/**
 * Family 11 — fail-closed parsing of upstream data (CONTRACT §3; issue 20, finding 7): the identity
 * API is a trusted peer, but what it answers still passes through rules that decide access. A role
 * whose `level` is missing or not a finite number gives its holder nothing and, as a target, counts
 * as the strongest: it never lets a level rule pass.
 */
import { ROLE_ACME_AUDITOR, ROLE_ADMIN, TENANT_ACME, USER_ALICE, USER_BOB } from '../../src/emulator';
import { expectProblem } from '../support/assertions';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

type Json = Record<string, unknown>;

/** Levels no rule may take as a number: missing, null, a string, a negative-zero-looking string, an object. */
const NOT_A_LEVEL: [string, (role: Json) => Json][] = [
  ['missing', ({ level: _level, ...role }) => role],
  ['null', (role) => ({ ...role, level: null })],
  ['a numeric string', (role) => ({ ...role, level: '5' })],
  ['an object', (role) => ({ ...role, level: { value: 5 } })],
];

describe('fail-closed parsing of upstream data (issue 20)', () => {
  let g: SecurityGateway;

  beforeAll(async () => {
    g = await startSecurityGateway({ STEP_UP_MAX_AGE_S: '300' });
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset());

  /** What the identity API answers now, read with the vendor token, as the gateway would. */
  async function upstreamAnswer(path: string, headers: Record<string, string> = {}): Promise<unknown> {
    const vendor = await fetch(`${g.emulator.url}/auth/vendor`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: g.emulator.clientId, secret: g.emulator.apiKey }),
    });
    const { token } = (await vendor.json()) as { token: string };
    return (await fetch(`${g.emulator.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } })).json();
  }

  /** The user as the identity API answers it, with `change` applied to every role of every membership. */
  async function userWithRoles(userId: string, change: (role: Json) => Json): Promise<void> {
    const path = `/identity/resources/vendor-only/users/v1/${userId}`;
    const user = (await upstreamAnswer(path)) as Json & { roles?: Json[]; tenants?: (Json & { roles: Json[] })[] };
    const changed = {
      ...user,
      ...(user.roles ? { roles: user.roles.map(change) } : {}),
      tenants: (user.tenants ?? []).map((tenant) => ({ ...tenant, roles: tenant.roles.map(change) })),
    };
    await g.upstream.injectFault({ method: 'GET', path, status: 200, body: changed });
  }

  const bearer = async (userId: string) => `Bearer ${await g.token({ userId, authTimeSecondsAgo: 5 })}`;

  describe.each(NOT_A_LEVEL)("the caller's role level %s (finding 7)", (_label, change) => {
    it('gives the caller no level: creating even the weakest role is 403 role-level, and nothing is written', async () => {
      await userWithRoles(USER_ALICE, change);
      const answer = await g.http().post('/v1/roles').set('authorization', await bearer(USER_ALICE)).send({ key: 'weakest', name: 'Weakest', level: 32767 });
      expectProblem(answer, 403);
      expect(answer.body.reason).toBe('role-level');
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it('gives the caller no level: deleting a weaker role of its tenant is 403 role-level too', async () => {
      await userWithRoles(USER_ALICE, change);
      const answer = await g.http().delete(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', await bearer(USER_ALICE));
      expectProblem(answer, 403);
      expect(answer.body.reason).toBe('role-level');
      expect(await g.upstreamWrites()).toEqual([]);
    });
  });

  describe.each(NOT_A_LEVEL)("a target role's level %s (finding 7)", (_label, change) => {
    it('counts as the strongest: the level-10 admin may not change or delete it (403 role-level), and nothing is written', async () => {
      const roles = (await upstreamAnswer('/identity/resources/roles/v1', { 'frontegg-tenant-id': TENANT_ACME })) as Json[];
      const body = roles.map((role) => (role.id === ROLE_ACME_AUDITOR ? change(role) : role));
      await g.upstream.injectFault({ method: 'GET', path: '/identity/resources/roles/v1', status: 200, body });
      const admin = await bearer(USER_ALICE);
      for (const answer of [
        await g.http().patch(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', admin).send({ name: 'Renamed' }),
        await g.http().delete(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', admin),
      ]) {
        expectProblem(answer, 403);
        expect(answer.body.reason).toBe('role-level');
      }
      expect(await g.upstreamWrites()).toEqual([]);
    });

    it("as a member's role, makes the member out of reach: the admin may not reset its MFA (403 role-level)", async () => {
      await userWithRoles(USER_BOB, change);
      const answer = await g.http().post(`/v1/users/${USER_BOB}/mfa/unenroll`).set('authorization', await bearer(USER_ALICE));
      expectProblem(answer, 403);
      expect(answer.body.reason).toBe('role-level');
      expect(await g.upstream.requests({ method: 'POST', path: /\/mfa\/unenroll$/ })).toEqual([]);
    });
  });

  it('a role of finite level is still compared as before: the admin changes the auditor role (the rule is not a blanket refusal)', async () => {
    const roles = (await upstreamAnswer('/identity/resources/roles/v1', { 'frontegg-tenant-id': TENANT_ACME })) as Json[];
    expect(roles.find((role) => role.id === ROLE_ADMIN)?.level).toBe(10);
    const answer = await g.http().patch(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', await bearer(USER_ALICE)).send({ name: 'Renamed' });
    expect(answer.status).toBe(200);
  });
});
