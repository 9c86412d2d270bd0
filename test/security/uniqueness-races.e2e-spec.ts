/**
 * Family 13 — concurrency of uniqueness rules (CONTRACT §4.2; issue 20, finding 6): role keys are
 * what tokens name, so one key names one role in a tenant and the environment. Checked before the
 * write, the rule held one request at a time; under concurrency, across instances, exactly one of
 * several simultaneous creations (or renames) to one key may succeed, and every other is a 409.
 */
import { claimRedisDatabase, type ClaimedRedisDatabase } from '../support/redis-database';
import { ROLE_ACME_AUDITOR, ROLE_ACME_HELPDESK, TENANT_ACME, USER_ALICE } from '../../src/emulator';
import { startGatewayOn, startSecurityGateway, type SecurityGateway } from './support/security-gateway';

const CONCURRENT = 8;

describe('concurrency of uniqueness rules (issue 20)', () => {
  describe.each([
    ['two instances sharing Redis', true],
    ['one instance without Redis', false],
  ])('%s', (_label, shared) => {
    let instances: SecurityGateway[];
    let database: ClaimedRedisDatabase | undefined;

    beforeAll(async () => {
      const environment: Record<string, string> = {};
      if (shared) {
        database = await claimRedisDatabase();
        environment.REDIS_URL = database.url;
      }
      const first = await startSecurityGateway(environment);
      instances = shared ? [first, await startGatewayOn(first.emulator, environment)] : [first];
    });
    afterAll(async () => {
      for (const instance of [...(instances ?? [])].reverse()) await instance.close();
      await database?.release();
    });
    beforeEach(async () => {
      for (const instance of instances) await instance.reset();
    });

    const tenantRoleKeys = async () => (await instances[0].upstream.listRoles(TENANT_ACME)).map((role) => role.key);

    it(`${CONCURRENT} simultaneous creations of one key: exactly one 201, every other 409, one role with the key`, async () => {
      const authorization = `Bearer ${await instances[0].token({ userId: USER_ALICE })}`;
      const statuses = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, index) =>
          instances[index % instances.length].http().post('/v1/roles').set('authorization', authorization).send({ key: 'raced-key', name: `Raced ${index}`, level: 60 }),
        ),
      ).then((answers) => answers.map((answer) => answer.status).sort());
      expect(statuses).toEqual([201, ...Array(CONCURRENT - 1).fill(409)]);
      expect((await tenantRoleKeys()).filter((key) => key === 'raced-key')).toHaveLength(1);
    });

    it('a creation and a rename to one key at once: exactly one succeeds, the others are 409', async () => {
      const authorization = `Bearer ${await instances[0].token({ userId: USER_ALICE })}`;
      const last = instances[instances.length - 1];
      const answers = await Promise.all([
        instances[0].http().post('/v1/roles').set('authorization', authorization).send({ key: 'contested', name: 'Created', level: 60 }),
        last.http().patch(`/v1/roles/${ROLE_ACME_AUDITOR}`).set('authorization', authorization).send({ key: 'contested' }),
        last.http().patch(`/v1/roles/${ROLE_ACME_HELPDESK}`).set('authorization', authorization).send({ key: 'contested' }),
      ]);
      const statuses = answers.map((answer) => answer.status);
      expect(statuses.filter((status) => status === 409)).toHaveLength(2);
      expect(statuses.filter((status) => status === 201 || status === 200)).toHaveLength(1);
      expect((await tenantRoleKeys()).filter((key) => key === 'contested')).toHaveLength(1);
    });
  });
});
