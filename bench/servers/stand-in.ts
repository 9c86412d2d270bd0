/**
 * The upstream stand-in: the smallest `node:http` server that answers the Frontegg routes the
 * gateway and the official SDK use, with fixed bodies of the official schemas, so the figures
 * measure the gateway and not an emulator. It counts requests per route (`GET /__counts`,
 * `DELETE /__counts` to reset), which the cold-start measurement reads.
 *
 * Environment: BENCH_PUBLIC_JWK (JSON), BENCH_PUBLIC_PEM, BENCH_ENTITLEMENTS_TUPLES (the entitlements
 * snapshot's size for gateways with ENTITLEMENTS=on, default 100000).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ALL_ROLES, API_KEY, CLIENT_ID, entitlementsSnapshot, membersPage, PERMISSIONS, TENANTS, userById, userDto } from '../fixtures';
import { listenForParent, requiredEnv } from './child';

const VENDOR_TOKEN_TTL_S = 3600;
const USER_PATH = /^\/identity\/resources\/(users|vendor-only\/users)\/v1\/([A-Za-z0-9_-]{1,64})$/;
const UPDATE_FIELDS = new Set(['phoneNumber', 'profilePictureUrl', 'metadata', 'vendorMetadata', 'mfaBypass', 'externalId', 'name']);

const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const jwks = json({ keys: [JSON.parse(requiredEnv('BENCH_PUBLIC_JWK'))] });
const configuration = json({
  id: 'bench-vendor-config',
  defaultTokenExpiration: 86400,
  defaultRefreshTokenExpiration: 2592000,
  publicKey: requiredEnv('BENCH_PUBLIC_PEM'),
  cookieSameSite: 'NONE',
  allowSignups: false,
  apiTokensEnabled: false,
  allowOverridePasswordComplexity: false,
  allowOverridePasswordExpiration: false,
  allowOverrideEnforcePasswordHistory: false,
  jwtAlgorithm: 'RS256',
  jwtSecret: '',
  allowNotVerifiedUsersLogin: false,
  forcePermissions: false,
  authStrategy: 'EmailAndPassword',
  defaultPasswordlessTokenExpiration: 300,
  forceSameDeviceOnAuth: false,
  allowTenantInvitations: false,
  rotateRefreshTokens: true,
  machineToMachineAuthStrategy: 'ClientCredentials',
  addRolesToJwt: true,
  addPermissionsToJwt: true,
  refreshTokensRotationLimit: 0,
  addSamlAttributesToJwt: false,
  allowCustomLoginTenantSwitch: false,
});
const roles = json(ALL_ROLES);
const entitlements = json(entitlementsSnapshot(Number(process.env.BENCH_ENTITLEMENTS_TUPLES ?? 100_000)));
const entitlementsOffset = json({ snapshotOffset: 1 });
const permissions = json(PERMISSIONS);
const membersPages = new Map<string, Buffer>(TENANTS.map((tenantId) => [tenantId, json(membersPage(tenantId))]));
const userBodies = new Map<string, Buffer>();
const vendorTokens = new Set<string>();
let counts: Record<string, number> = {};

function send(res: ServerResponse, status: number, body: Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  res.end(body);
}

const problem = (res: ServerResponse, status: number, message: string) => send(res, status, json({ errors: [message] }));

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Management routes take the vendor token as a bearer token or as `x-access-token` (the SDK's way). */
function hasVendorToken(req: IncomingMessage): boolean {
  const bearer = req.headers.authorization;
  const token = bearer?.startsWith('Bearer ') ? bearer.slice(7) : req.headers['x-access-token'];
  return typeof token === 'string' && vendorTokens.has(token);
}

function userBody(userId: string): Buffer | undefined {
  let body = userBodies.get(userId);
  if (body === undefined) {
    const user = userById(userId);
    if (user === undefined) return undefined;
    body = json(userDto(user));
    userBodies.set(userId, body);
  }
  return body;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const method = req.method ?? 'GET';

  if (path === '/__counts') {
    if (method === 'DELETE') counts = {};
    return send(res, 200, json(counts));
  }
  const user = USER_PATH.exec(path);
  const route = user ? `${method} /identity/resources/${user[1]}/v1/{userId}` : `${method} ${path}`;
  counts[route] = (counts[route] ?? 0) + 1;

  switch (route) {
    case 'POST /auth/vendor': {
      const body = (await readBody(req)) as { clientId?: unknown; secret?: unknown } | undefined;
      if (body?.clientId !== CLIENT_ID || body.secret !== API_KEY) return problem(res, 401, 'Unauthorized');
      const token = randomBytes(24).toString('base64url');
      vendorTokens.add(token);
      return send(res, 200, json({ token, expiresIn: VENDOR_TOKEN_TTL_S }));
    }
    case 'GET /.well-known/jwks.json':
      return send(res, 200, jwks);
  }

  if (!hasVendorToken(req)) {
    req.resume();
    return problem(res, 401, 'Unauthorized');
  }
  switch (route) {
    case 'GET /identity/resources/configurations/v1':
      return send(res, 200, configuration);
    case 'GET /identity/resources/roles/v1':
      return send(res, 200, roles);
    case 'GET /identity/resources/permissions/v1':
      return send(res, 200, permissions);
    case 'GET /identity/resources/users/v3': {
      // The first page of the tenant of frontegg-tenant-id, whatever the query asks.
      const page = membersPages.get(String(req.headers['frontegg-tenant-id']));
      return page ? send(res, 200, page) : problem(res, 400, 'frontegg-tenant-id header is required');
    }
    case 'GET /entitlements/api/v1/vendor-entitlements':
      return send(res, 200, entitlements);
    case 'GET /entitlements/api/v1/vendor-entitlements-snapshot-offset':
      return send(res, 200, entitlementsOffset);
    case 'GET /identity/resources/vendor-only/users/v1/{userId}':
    case 'PUT /identity/resources/users/v1/{userId}': {
      if (method === 'PUT') {
        // UpdateVendorUserDto: a JSON object of known fields (the answer stays the fixed user).
        const update = await readBody(req);
        if (typeof update !== 'object' || update === null || !Object.keys(update).every((key) => UPDATE_FIELDS.has(key))) {
          return problem(res, 400, 'Invalid body');
        }
      }
      const body = userBody(user![2]);
      return body ? send(res, 200, body) : problem(res, 404, 'User not found');
    }
    default:
      req.resume();
      return problem(res, 404, 'Not found');
  }
}

listenForParent(createServer((req, res) => void handle(req, res)));
