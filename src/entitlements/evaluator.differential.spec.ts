import fc from 'fast-check';
// Frontegg's own evaluator, from its published dist code (not a copy): the cache the SDK builds from a
// snapshot, the user-scoped client that decides, and the attributes forFronteggToken prepares.
import { EntitlementsUserScoped } from '@frontegg/client/dist/src/clients/entitlements/entitlements.user-scoped';
import { InMemoryEntitlementsCache } from '@frontegg/client/dist/src/clients/entitlements/storage/in-memory/in-memory.cache';
import { appendUserIdAttribute } from '@frontegg/client/dist/src/clients/entitlements/helpers/frontegg-entity.helper';
import { prepareAttributes } from '@frontegg/entitlements-javascript-commons';
import type { EntitlementsRule, VendorEntitlementsResponse } from '../identity/frontegg-api.types';
import { decideFeature, decidePermission, tokenAttributes, type EntitlementsCaller } from './evaluator';
import { parseSnapshot } from './snapshot';

/**
 * The gateway's evaluator against the SDK's on the same generated snapshots, callers and clock
 * (CONTRACT §4.5): every (caller, key) must get the same `entitled` and `justification`. Where the
 * gateway differs on purpose (see the docs), the generators stay inside what both define alike:
 * wildcards only as `*` or a trailing `.*` (the gateway's grants, CONTRACT §3), ids without `:`.
 */
const NOW = Date.parse('2026-06-15T12:00:00.000Z');
const RUNS = Number(process.env.ENTITLEMENTS_DIFF_RUNS ?? 5_000);

const FEATURE_KEYS = ['f1', 'f2', 'f3', 'f4', 'f5'];
const PLAN_IDS = ['p1', 'p2', 'p3', 'p4'];
const TENANTS = ['t1', 't2', 't3'];
const USERS = ['u1', 'u2', 'u3'];
const PERMISSIONS = ['a.read', 'a.write', 'b.read', 'b.x.y', 'c'];
const WILDCARDS = ['a.*', 'b.*', 'b.x.*', '*'];
const EMAILS = ['ann@acme.test', 'bo@globex.test', 'cy@example.com'];

const DAY = 86_400_000;
/** Expiries on both sides of now, at now itself, and before 1970 (negative times, which the SDK picks apart). */
const expiry = fc.oneof(
  fc.constantFrom(null, undefined),
  fc.constantFrom(-DAY, -1, 0, 1, DAY, 30 * DAY, -30 * DAY).map((delta) => new Date(NOW + delta).toISOString()),
  fc.constant('1969-12-31T00:00:00.000Z'),
);

const condition = fc.oneof(
  fc.record({
    attribute: fc.constantFrom('frontegg.email', 'jwt.email', 'jwt.plan', 'frontegg.tenantId', 'frontegg.userId', 'jwt.sub', 'jwt.missing'),
    op: fc.constantFrom('ends_with', 'starts_with', 'contains', 'in_list'),
    value: fc.record({ list: fc.subarray(['@acme.test', '@globex.test', 'ann', 't1', 't2', 'u1', 'u2', 'gold', 'silver']) }),
  }),
  fc.record({ attribute: fc.constantFrom('jwt.seats', 'jwt.missing'), op: fc.constantFrom('greater_than', 'lower_than_equal', 'equal'), value: fc.record({ number: fc.integer({ min: 0, max: 20 }) }) }),
  fc.record({ attribute: fc.constantFrom('jwt.beta', 'frontegg.emailVerified'), op: fc.constant('is'), value: fc.record({ boolean: fc.boolean() }) }),
  fc.record({ attribute: fc.constant('jwt.plan'), op: fc.constant('not_an_operation'), value: fc.constant({}) }),
).chain((base) => fc.record({ negate: fc.boolean(), attributeType: fc.constantFrom('custom', 'frontegg') }).map((extra) => ({ ...base, ...extra })));

const rule: fc.Arbitrary<EntitlementsRule> = fc.record({
  description: fc.constant('generated'),
  conditionLogic: fc.constantFrom('and', 'or'),
  conditions: fc.array(condition, { maxLength: 3 }),
  treatment: fc.constantFrom('true', 'false'),
}) as fc.Arbitrary<EntitlementsRule>;
const rules = fc.array(rule, { maxLength: 2 });
const treatment = fc.constantFrom('true' as const, 'false' as const);

const snapshot = fc
  .record({
    features: fc.uniqueArray(fc.constantFrom(...FEATURE_KEYS), { minLength: 1 }).chain((keys) =>
      fc.tuple(...keys.map((key) => fc.subarray(PERMISSIONS, { maxLength: 2 }).map((links) => [`id-${key}`, key, links] as [string, string, string[]]))),
    ),
    featureBundles: fc.uniqueArray(fc.constantFrom(...PLAN_IDS), { maxLength: 4 }).chain((ids) =>
      fc.tuple(
        ...ids.map((id) =>
          fc.tuple(
            fc.constant(id),
            fc.subarray([...FEATURE_KEYS.map((key) => `id-${key}`), 'id-ghost']),
            // Mostly no targeting, so that grants decide; sometimes a default or a rule that entitles.
            fc.oneof({ weight: 4, arbitrary: fc.constant('false' as const) }, { weight: 1, arbitrary: treatment }),
            fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: rules }),
          ),
        ),
      ),
    ),
    entitlements: fc.array(
      fc.tuple(fc.constantFrom(...PLAN_IDS, 'p-ghost'), fc.constantFrom(...TENANTS), fc.constantFrom(null, undefined, '', ...USERS), expiry, fc.nat(2)).map(
        // Shortened tuples, as JSON may send them.
        ([plan, tenant, user, expires, shape]) => (shape === 0 && user == null && expires == null ? [plan, tenant] : shape === 1 && expires == null ? [plan, tenant, user] : [plan, tenant, user, expires]),
      ),
      { maxLength: 12 },
    ),
    featureFlags: fc.array(fc.tuple(fc.constantFrom(...FEATURE_KEYS, 'f-ghost'), fc.boolean(), fc.constant('boolean' as const), treatment, treatment, rules), { maxLength: 3 }),
  })
  .map((data) => ({ data, snapshotOffset: 1 }) as unknown as VendorEntitlementsResponse);

const caller = fc.record({
  type: fc.constantFrom('userToken', 'userApiToken'),
  tenantId: fc.constantFrom(...TENANTS),
  userId: fc.constantFrom(...USERS),
  email: fc.constantFrom(...EMAILS),
  permissions: fc.subarray([...PERMISSIONS, ...WILDCARDS]),
  plan: fc.option(fc.constantFrom('gold', 'silver'), { nil: undefined }),
  seats: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
  beta: fc.option(fc.boolean(), { nil: undefined }),
  emailVerified: fc.boolean(),
});

type GeneratedCaller = typeof caller extends fc.Arbitrary<infer T> ? T : never;

/** The verified token's claims, as the SDK's validateToken returns them and the gateway's verifier keeps them. */
function claimsOf(generated: GeneratedCaller): Record<string, unknown> {
  const { type, tenantId, userId, email, permissions, plan, seats, beta, emailVerified } = generated;
  const claims: Record<string, unknown> = { type, tenantId, email, email_verified: emailVerified, permissions, roles: ['Admin'], iss: 'https://issuer.test' };
  if (type === 'userToken') claims.sub = userId;
  else Object.assign(claims, { sub: 'api-token-id', userId });
  if (plan !== undefined) claims.plan = plan;
  if (seats !== undefined) claims.seats = seats;
  if (beta !== undefined) claims.beta = beta;
  return claims;
}

type Answer = { entitled: boolean; justification: string | null };

async function sdkAnswers(snapshotBody: VendorEntitlementsResponse, claims: Record<string, unknown>): Promise<Record<string, Answer>> {
  const cache = InMemoryEntitlementsCache.initialize(structuredClone(snapshotBody) as never, '1');
  // What forFronteggToken does with the verified token.
  const attributes = appendUserIdAttribute(prepareAttributes({ jwt: claims }) as never, claims as never);
  // A fresh scoped client per question: the SDK's wildcard patterns are stateful regexps (global flag).
  const scoped = () => new EntitlementsUserScoped(claims as never, cache, attributes);
  const answers: Record<string, Answer> = {};
  for (const key of [...FEATURE_KEYS, 'f-ghost']) answers[`feature ${key}`] = normalise(await scoped().isEntitledToFeature(key));
  for (const key of PERMISSIONS) answers[`permission ${key}`] = normalise(await scoped().isEntitledToPermission(key));
  await cache.shutdown();
  return answers;
}

function gatewayAnswers(snapshotBody: VendorEntitlementsResponse, claims: Record<string, unknown>, generated: GeneratedCaller): Record<string, Answer> {
  const indexed = parseSnapshot(structuredClone(snapshotBody));
  const subject: EntitlementsCaller = {
    tenantId: generated.tenantId,
    userId: generated.userId,
    permissions: generated.permissions,
    attributes: () => tokenAttributes(claims, generated.userId),
  };
  const answers: Record<string, Answer> = {};
  const pick = ({ entitled, justification }: Answer) => ({ entitled, justification });
  for (const key of [...FEATURE_KEYS, 'f-ghost']) answers[`feature ${key}`] = pick(decideFeature(indexed, subject, key, NOW));
  for (const key of PERMISSIONS) answers[`permission ${key}`] = pick(decidePermission(indexed, subject, key, NOW));
  return answers;
}

function normalise(result: { result: boolean; justification?: string }): Answer {
  return { entitled: result.result, justification: result.justification ?? null };
}

describe("the gateway's entitlements evaluator against @frontegg/client's", () => {
  beforeAll(() => {
    // One clock for both: the SDK reads `new Date()`, the gateway is handed NOW.
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
  });

  afterAll(() => {
    jest.useRealTimers();
  });

  it(`answers every (caller, key) as the SDK does, on ${RUNS} generated snapshots and callers`, async () => {
    let comparisons = 0;
    let entitledSeen = 0;
    await fc.assert(
      fc.asyncProperty(snapshot, caller, async (snapshotBody, generated) => {
        const claims = claimsOf(generated);
        const expected = await sdkAnswers(snapshotBody, claims);
        const actual = gatewayAnswers(snapshotBody, claims, generated);
        expect(actual).toEqual(expected);
        comparisons += Object.keys(expected).length;
        entitledSeen += Object.values(expected).filter((answer) => answer.entitled).length;
      }),
      // fast-check prints the seed and the shrunk case on failure; ENTITLEMENTS_DIFF_SEED replays one.
      { numRuns: RUNS, seed: process.env.ENTITLEMENTS_DIFF_SEED ? Number(process.env.ENTITLEMENTS_DIFF_SEED) : undefined },
    );
    // The generators reach both answers, not only refusals.
    expect(comparisons).toBeGreaterThanOrEqual(RUNS * 11);
    expect(entitledSeen).toBeGreaterThan(comparisons / 20);
    expect(entitledSeen).toBeLessThan(comparisons);
  });
});
