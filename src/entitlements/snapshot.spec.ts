import { decideFeature, decidePermission, type EntitlementsCaller } from './evaluator';
import { parseSnapshot, SNAPSHOT_MAX_TUPLES, SnapshotRejected } from './snapshot';

const good = () => ({
  snapshotOffset: 7,
  data: {
    features: [
      ['id-roles', 'custom-roles', ['fe.secure.write.roles']],
      ['id-sso', 'sso', []],
    ],
    featureBundles: [['plan-business', ['id-roles', 'id-sso'], 'false', []]],
    entitlements: [['plan-business', 'tenant-a'], ['plan-business', 'tenant-b', null, '2020-01-01T00:00:00.000Z'], ['plan-business', 'tenant-c', 'user-1']],
    featureFlags: [],
  },
});

const caller = (tenantId: string, userId = 'user-0', permissions = ['fe.secure.*']): EntitlementsCaller => ({ tenantId, userId, permissions, attributes: () => ({}) });
const NOW = Date.parse('2026-01-01T00:00:00.000Z');

function refusal(mutate: (body: ReturnType<typeof good>) => unknown): string {
  const body = good();
  const changed = mutate(body) ?? body;
  try {
    parseSnapshot(changed);
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotRejected);
    return (error as Error).message;
  }
  throw new Error('snapshot unexpectedly accepted');
}

describe('parseSnapshot', () => {
  it('indexes features, plans, tenant and user grants and permission links', () => {
    const snapshot = parseSnapshot(good());
    expect(snapshot.offset).toBe(7);
    expect(snapshot.tupleCount).toBe(6);
    expect(snapshot.permissionFeatures.get('fe.secure.write.roles')).toEqual(['custom-roles']);
    expect(decideFeature(snapshot, caller('tenant-a'), 'sso', NOW)).toEqual({ entitled: true, justification: null });
    expect(decideFeature(snapshot, caller('tenant-b'), 'sso', NOW)).toEqual({ entitled: false, justification: 'bundle-expired' });
    expect(decideFeature(snapshot, caller('tenant-c', 'user-1'), 'sso', NOW)).toEqual({ entitled: true, justification: null });
    expect(decideFeature(snapshot, caller('tenant-c', 'user-2'), 'sso', NOW)).toEqual({ entitled: false, justification: 'missing-feature' });
    expect(decidePermission(snapshot, caller('tenant-b'), 'fe.secure.write.roles', NOW)).toEqual({
      entitled: false,
      justification: 'bundle-expired',
      feature: 'custom-roles',
    });
    expect(decidePermission(snapshot, caller('tenant-a', 'user-0', []), 'fe.secure.write.roles', NOW)).toEqual({ entitled: false, justification: 'missing-permission' });
    // Linked to no feature: the permission alone decides.
    expect(decidePermission(snapshot, caller('tenant-z'), 'fe.secure.read.roles', NOW)).toEqual({ entitled: true, justification: null });
  });

  it.each([
    ['a body that is not an object', () => 'not json', /the answer is not an object/],
    ['no offset', (body: ReturnType<typeof good>) => ({ ...body, snapshotOffset: '7' }), /snapshotOffset/],
    ['a missing list', (body: ReturnType<typeof good>) => ({ ...body, data: { ...body.data, featureFlags: undefined } }), /data.featureFlags is not a list/],
    ['a feature tuple too short', (body: ReturnType<typeof good>) => void (body.data.features[1] = ['id-x', 'x'] as never), /data.features\[1\] has 2 items/],
    ['a feature tuple too long', (body: ReturnType<typeof good>) => void (body.data.features[1] = ['id-x', 'x', [], 'extra'] as never), /data.features\[1\] has 4 items/],
    ['a plan with an unknown treatment', (body: ReturnType<typeof good>) => void (body.data.featureBundles[0][2] = 'maybe'), /treatment/],
    ['a grant with a number for a tenant', (body: ReturnType<typeof good>) => void (body.data.entitlements[0] = ['plan-business', 42] as never), /tenant id/],
    ['a grant whose expiry is no date', (body: ReturnType<typeof good>) => void (body.data.entitlements[0] = ['plan-business', 't', null, 'soon']), /expiry is not a date/],
    ['a flag of an unknown type', (body: ReturnType<typeof good>) => void (body.data.featureFlags = [['sso', true, 'string', 'true', 'false', []]] as never), /type is not boolean/],
    ['a rule with nested groups', (body: ReturnType<typeof good>) =>
      void (body.data.featureBundles[0][3] = [{ conditionLogic: 'and', treatment: 'true', conditions: [{ conditionLogic: 'or', conditions: [] }] }] as never), /is not a condition/],
    ['a duplicate feature id', (body: ReturnType<typeof good>) => void body.data.features.push(['id-sso', 'other', []]), /duplicate feature id/],
    ['a duplicate feature key', (body: ReturnType<typeof good>) => void body.data.features.push(['id-other', 'sso', []]), /duplicate feature key/],
    ['a duplicate plan id', (body: ReturnType<typeof good>) => void body.data.featureBundles.push(['plan-business', [], 'false', []]), /duplicate plan id/],
  ])('refuses %s', (_name, mutate, message) => {
    expect(refusal(mutate as (body: ReturnType<typeof good>) => unknown)).toMatch(message);
  });

  it(`refuses more than ${SNAPSHOT_MAX_TUPLES} tuples before indexing them`, () => {
    const grants = Array.from({ length: SNAPSHOT_MAX_TUPLES }, (_, index) => ['plan-business', `tenant-${index}`]);
    expect(refusal((body) => void (body.data.entitlements = grants as never))).toMatch(/tuples, more than/);
  });
});
