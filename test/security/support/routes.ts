import {
  PERM_READ_ROLES, ROLE_ACME_AUDITOR, ROLE_GLOBEX_SUPPORT, ROLE_MEMBER, USER_BOB, USER_CAROL, USER_DAVE,
} from '../../../src/emulator';
import type { SecurityGateway } from './security-gateway';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** A path parameter as the upstream may see it (CONTRACT §5). */
const ID = '[A-Za-z0-9_-]{1,64}';
const IDENTITY = '/identity/resources';

/** Every upstream path of CONTRACT §4 (reads any route may make to decide, and the writes). */
export const UPSTREAM_PATHS: Record<string, RegExp> = {
  user: new RegExp(`^${IDENTITY}/vendor-only/users/v1/${ID}$`),
  userUpdate: new RegExp(`^${IDENTITY}/users/v1/${ID}$`),
  mfaUnenroll: new RegExp(`^${IDENTITY}/vendor-only/users/v1/${ID}/mfa/unenroll$`),
  roles: new RegExp(`^${IDENTITY}/roles/v1$`),
  role: new RegExp(`^${IDENTITY}/roles/v1/${ID}$`),
  rolePermissions: new RegExp(`^${IDENTITY}/roles/v1/${ID}/permissions$`),
  permissions: new RegExp(`^${IDENTITY}/permissions/v1$`),
  users: new RegExp(`^${IDENTITY}/users/v3$`),
  invite: new RegExp(`^${IDENTITY}/users/v2$`),
  userRoles: new RegExp(`^${IDENTITY}/users/v1/${ID}/roles$`),
  userTenants: new RegExp(`^${IDENTITY}/users/v2/me/tenants$`),
  activeTenant: new RegExp(`^${IDENTITY}/users/v1/tenant$`),
};

/** The upstream ids in a path (the last id-shaped segment after a `/v1/`; `users/v1/tenant`, the active-tenant switch, names none). */
export function upstreamIdOf(path: string): string | undefined {
  if (UPSTREAM_PATHS.activeTenant.test(path)) return undefined;
  return /\/v1\/([^/]+)(?:\/|$)/.exec(path)?.[1];
}

export interface RouteSpec {
  method: Method;
  /** As the OpenAPI document writes it, e.g. `/v1/roles/{roleId}`. */
  path: string;
  /** The permission the route declares (CONTRACT §3, §4). */
  permission?: string;
  /** Only `userToken` (CONTRACT §4.1: other types get 403). */
  userTokenOnly?: boolean;
  /** Needs a recent sign-in (RFC 9470 step-up). */
  recentSignIn?: boolean;
  /** The one path parameter, with an id of the caller's tenant (Alice's, tenant-acme) and one of another tenant. */
  param?: { name: string; own: string; foreign: string };
  /** A valid body for writes, and the properties that body may have (for mass-assignment attacks). */
  body?: Record<string, unknown>;
  allowedProperties?: string[];
  /** A role of the caller's tenant stronger than the caller is what the route acts on (the level rule applies). */
  levelRule?: 'target' | 'body';
  /** Where its upstream writes go, and the properties the gateway adds to them itself (roles routes: the roles API, nothing added). */
  upstreamWrite?: { path: RegExp; addedProperties?: string[] };
  /** false: answered from the gateway's own state (the entitlements snapshot), with no management call. */
  callsUpstream?: false;
  success: number;
}

/**
 * Every route of CONTRACT §4, in one table: the authorization matrix, the input attacks and the
 * fuzzers iterate over it. A route is exercised when the running gateway documents it in its
 * OpenAPI document, and a coverage test fails when the gateway documents a /v1 route missing
 * here: adding a route means adding one line.
 */
export const ROUTES: RouteSpec[] = [
  { method: 'GET', path: '/v1/me', userTokenOnly: true, success: 200 },
  {
    method: 'PATCH', path: '/v1/me', userTokenOnly: true, success: 200,
    body: { name: 'Alice Liddell' }, allowedProperties: ['name', 'phoneNumber', 'profilePictureUrl', 'metadata'],
  },
  { method: 'POST', path: '/v1/me/mfa/unenroll', userTokenOnly: true, recentSignIn: true, success: 204 },
  { method: 'GET', path: '/v1/me/tenants', userTokenOnly: true, success: 200 },
  {
    method: 'PUT', path: '/v1/me/tenant', userTokenOnly: true, success: 200,
    body: { tenantId: 'tenant-acme' }, allowedProperties: ['tenantId'], upstreamWrite: { path: UPSTREAM_PATHS.activeTenant },
  },
  // Any token type, no permission (CONTRACT §4.5); the security gateways run with ENTITLEMENTS=on.
  { method: 'GET', path: '/v1/me/entitlements', success: 200, callsUpstream: false },
  { method: 'GET', path: '/v1/roles', permission: 'fe.secure.read.roles', success: 200 },
  { method: 'GET', path: '/v1/permissions', permission: 'fe.secure.read.roles', success: 200 },
  {
    method: 'POST', path: '/v1/roles', permission: 'fe.secure.write.roles', success: 201, levelRule: 'body',
    body: { key: 'security-suite', name: 'Security suite', level: 40 },
    allowedProperties: ['key', 'name', 'description', 'level', 'isDefault', 'firstUserRole'],
  },
  {
    method: 'PATCH', path: '/v1/roles/{roleId}', permission: 'fe.secure.write.roles', success: 200, levelRule: 'target',
    param: { name: 'roleId', own: ROLE_ACME_AUDITOR, foreign: ROLE_GLOBEX_SUPPORT },
    body: { name: 'Auditors' }, allowedProperties: ['key', 'name', 'description', 'level', 'isDefault', 'firstUserRole'],
  },
  {
    method: 'DELETE', path: '/v1/roles/{roleId}', permission: 'fe.secure.delete.roles', success: 204, levelRule: 'target',
    param: { name: 'roleId', own: ROLE_ACME_AUDITOR, foreign: ROLE_GLOBEX_SUPPORT },
  },
  {
    method: 'PUT', path: '/v1/roles/{roleId}/permissions', permission: 'fe.secure.write.roles', success: 200, levelRule: 'target',
    param: { name: 'roleId', own: ROLE_ACME_AUDITOR, foreign: ROLE_GLOBEX_SUPPORT },
    body: { permissionIds: [PERM_READ_ROLES] }, allowedProperties: ['permissionIds'],
  },
  {
    method: 'GET', path: '/v1/users/{userId}', permission: 'fe.secure.read.users', success: 200,
    param: { name: 'userId', own: USER_BOB, foreign: USER_CAROL },
  },
  {
    method: 'POST', path: '/v1/users/{userId}/mfa/unenroll', permission: 'fe.secure.write.users', success: 204,
    param: { name: 'userId', own: USER_BOB, foreign: USER_DAVE },
  },
  { method: 'GET', path: '/v1/users', permission: 'fe.secure.read.users', success: 200 },
  {
    method: 'POST', path: '/v1/users', permission: 'fe.secure.write.users', success: 201,
    body: { email: 'security-suite@acme.test' }, allowedProperties: ['email', 'name', 'roleIds', 'skipInviteEmail'],
    // CreateUserDto's metadata is required by the operation: the gateway always sends '{}'.
    upstreamWrite: { path: UPSTREAM_PATHS.invite, addedProperties: ['metadata'] },
  },
  {
    method: 'DELETE', path: '/v1/users/{userId}', permission: 'fe.secure.delete.users', success: 204,
    param: { name: 'userId', own: USER_BOB, foreign: USER_CAROL },
  },
  {
    method: 'PUT', path: '/v1/users/{userId}/roles', permission: 'fe.secure.write.users', success: 200,
    param: { name: 'userId', own: USER_BOB, foreign: USER_DAVE },
    // Bob keeps Member and gains acme-auditor: one upstream write (the difference).
    body: { roleIds: [ROLE_MEMBER, ROLE_ACME_AUDITOR] }, allowedProperties: ['roleIds'],
    upstreamWrite: { path: UPSTREAM_PATHS.userRoles },
  },
];

export const routeName = (route: RouteSpec) => `${route.method} ${route.path}`;
export const isWrite = (route: RouteSpec) => route.method !== 'GET';

/** The concrete path, with the parameter (raw: the caller encodes what it wants encoded). */
export function pathOf(route: RouteSpec, id = route.param?.own): string {
  return route.param ? route.path.replace(`{${route.param.name}}`, id ?? '') : route.path;
}

type OpenApi = { paths: Record<string, Record<string, unknown>> };

/** `METHOD /path` of every /v1 operation the running gateway documents. */
export async function documentedOperations(g: SecurityGateway): Promise<string[]> {
  const document = (await g.http().get('/docs-json')).body as OpenApi;
  return Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/v1'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}

/** The routes of the table that the running gateway serves. */
export async function liveRoutes(g: SecurityGateway): Promise<RouteSpec[]> {
  const documented = new Set(await documentedOperations(g));
  return ROUTES.filter((route) => documented.has(routeName(route)));
}

/** A request for `route` through supertest, with its valid body unless another is given. */
export function send(g: SecurityGateway, route: RouteSpec, options: { authorization?: string; id?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const path = pathOf(route, options.id);
  const agent = g.http();
  let request = ({ GET: agent.get, POST: agent.post, PATCH: agent.patch, PUT: agent.put, DELETE: agent.delete } as const)[route.method].call(agent, path);
  if (options.authorization !== undefined) request = request.set('authorization', options.authorization);
  if (options.headers) request = request.set(options.headers);
  const body = options.body === undefined ? route.body : options.body;
  return body === undefined ? request : request.send(body as object);
}
