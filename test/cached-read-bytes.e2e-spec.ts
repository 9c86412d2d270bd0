import type { IncomingMessage } from 'node:http';
import type { Response } from 'supertest';
import { USER_ALICE, USER_CAROL } from '../src/emulator';
import { startTestGateway, type TestGateway } from './support/gateway';
import { claimRedisDatabase, type ClaimedRedisDatabase } from './support/redis-database';

/**
 * The exact bytes of the cached reads, headers included: serving them from a memo of the cached
 * value must not change one byte, on a miss, on a hit, on HEAD, nor after a change of the roles,
 * whether the store hands every hit the same object (memory) or a new one per read (Redis).
 */
const ACME_ROLES = [
  '[{"id":"role-admin","key":"Admin","name":"Admin","description":"Full access to the account","isDefault":false,"level":10,',
  '"permissions":["perm-read-roles","perm-write-roles","perm-delete-roles","perm-read-users","perm-write-users","perm-delete-users","perm-reports-read","perm-reports-write"],"environmentWide":true},',
  '{"id":"role-member","key":"Member","name":"Member","description":"Default role of every user","isDefault":true,"level":50,',
  '"permissions":["perm-read-roles","perm-reports-read"],"environmentWide":true},',
  '{"id":"role-acme-auditor","key":"acme-auditor","name":"Acme auditor","description":"Reads roles, users and reports of Acme","isDefault":false,"level":30,',
  '"permissions":["perm-read-roles","perm-read-users","perm-reports-read"],"environmentWide":false},',
  '{"id":"role-acme-helpdesk","key":"acme-helpdesk","name":"Acme helpdesk","description":"Reads and changes Acme users, below Admin","isDefault":false,"level":40,',
  '"permissions":["perm-read-roles","perm-read-users","perm-write-users"],"environmentWide":false}]',
].join('');

const PERMISSIONS = [
  '[{"id":"perm-read-roles","key":"fe.secure.read.roles","name":"Read roles","description":"View roles and their permissions","categoryId":"cat-fe-secure"},',
  '{"id":"perm-write-roles","key":"fe.secure.write.roles","name":"Write roles","description":"Create and change roles","categoryId":"cat-fe-secure"},',
  '{"id":"perm-delete-roles","key":"fe.secure.delete.roles","name":"Delete roles","description":"Delete roles","categoryId":"cat-fe-secure"},',
  '{"id":"perm-read-users","key":"fe.secure.read.users","name":"Read users","description":"View users of the account","categoryId":"cat-fe-secure"},',
  '{"id":"perm-write-users","key":"fe.secure.write.users","name":"Write users","description":"Change users of the account","categoryId":"cat-fe-secure"},',
  '{"id":"perm-delete-users","key":"fe.secure.delete.users","name":"Delete users","description":"Remove users from the account","categoryId":"cat-fe-secure"},',
  '{"id":"perm-reports-read","key":"app.reports.read","name":"Read reports","description":"View reports","categoryId":"cat-app"},',
  '{"id":"perm-reports-write","key":"app.reports.write","name":"Write reports","description":"Create and change reports","categoryId":"cat-app"}]',
].join('');

const MISS = 'gateway; fwd=uri-miss; stored';
const HIT = 'gateway; hit; ttl=<s>';
/** Read through because the entry was stored before a change of the tenant's roles. */
const CHANGED = 'gateway; fwd=stale; stored';

/** Every header in the order it was sent, with the values that change per request (or per second) masked. */
function headersOf(response: Response): string[][] {
  // superagent keeps Node's response (its header order) in `res`, which its types leave out.
  const raw = (response as unknown as { res: IncomingMessage }).res.rawHeaders;
  const pairs: string[][] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    let value = raw[i + 1];
    if (name === 'x-request-id' || name === 'date' || name === 'ratelimit-remaining' || name === 'ratelimit-reset') value = '<varies>';
    if (name === 'cache-status') value = value.replace(/ttl=\d+$/, 'ttl=<s>');
    pairs.push([name, value]);
  }
  return pairs;
}

function expectedHeaders(cacheStatus: string, body: string): string[][] {
  return [
    ['x-request-id', '<varies>'],
    ['content-security-policy', "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'"],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
    ['referrer-policy', 'no-referrer'],
    ['strict-transport-security', 'max-age=31536000; includeSubDomains'],
    ['x-content-type-options', 'nosniff'],
    ['x-frame-options', 'DENY'],
    ['ratelimit-limit', '600'],
    ['ratelimit-remaining', '<varies>'],
    ['ratelimit-reset', '<varies>'],
    ['cache-status', cacheStatus],
    ['content-type', 'application/json; charset=utf-8'],
    ['content-length', String(Buffer.byteLength(body))],
    ['date', '<varies>'],
    ['connection', 'close'],
  ];
}

describe.each(['memory', 'Redis'])('the bytes of the cached reads (GET /v1/roles, GET /v1/permissions), cache in %s', (store) => {
  let gateway: TestGateway;
  let database: ClaimedRedisDatabase | undefined;

  beforeAll(async () => {
    if (store === 'Redis') database = await claimRedisDatabase();
    gateway = await startTestGateway(database ? { REDIS_URL: database.url } : {});
  });
  afterAll(async () => {
    await gateway?.close();
    await database?.release();
  });
  beforeEach(() => gateway.reset());

  const get = async (path: string, userId = USER_ALICE) => gateway.http().get(path).set('authorization', `Bearer ${await gateway.token({ userId })}`);
  const head = async (path: string) => gateway.http().head(path).set('authorization', `Bearer ${await gateway.token({ userId: USER_ALICE })}`);

  it.each([
    ['/v1/roles', ACME_ROLES],
    ['/v1/permissions', PERMISSIONS],
  ])('%s: the same bytes and headers on a miss, on a hit, and on HEAD', async (path, body) => {
    const miss = await get(path);
    expect(miss.status).toBe(200);
    expect(miss.text).toBe(body);
    expect(headersOf(miss)).toEqual(expectedHeaders(MISS, body));

    for (let i = 0; i < 2; i++) {
      const hit = await get(path);
      expect(hit.status).toBe(200);
      expect(hit.text).toBe(body);
      expect(headersOf(hit)).toEqual(expectedHeaders(HIT, body));
    }

    const headOnly = await head(path);
    expect(headOnly.status).toBe(200);
    expect(headOnly.text).toBeUndefined();
    expect(headersOf(headOnly)).toEqual(expectedHeaders(HIT, body));
  });

  it("answers a role change at once, in the same shape, and never another tenant's bytes", async () => {
    expect((await get('/v1/roles')).text).toBe(ACME_ROLES);
    expect((await get('/v1/roles')).text).toBe(ACME_ROLES); // a hit: served from what the first answer stored

    const bearer = `Bearer ${await gateway.token({ userId: USER_ALICE })}`;
    const created = await gateway.http().post('/v1/roles').set('authorization', bearer).send({ key: 'billing', name: 'Billing', level: 40 });
    expect(created.status).toBe(201);

    const after = await get('/v1/roles');
    const withBilling = `${ACME_ROLES.slice(0, -1)},${JSON.stringify(created.body)}]`;
    expect(after.text).toBe(withBilling);
    expect(headersOf(after)).toEqual(expectedHeaders(CHANGED, withBilling));
    expect((await get('/v1/roles')).text).toBe(withBilling);

    const globex = await get('/v1/roles', USER_CAROL);
    expect(globex.status).toBe(200);
    expect(globex.body.map((role: { key: string }) => role.key).sort()).toEqual(['Admin', 'Member', 'globex-support']);
    expect(globex.text).toBe(JSON.stringify(globex.body));
    expect((await get('/v1/roles', USER_CAROL)).text).toBe(globex.text);
    expect((await get('/v1/roles')).text).toBe(withBilling);
  });
});
