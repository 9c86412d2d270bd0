/**
 * The seven loads of one run and the requests each sends. Every scenario cycles through one
 * request per user (1000 users over four tenants), so reads carry many users' tokens and writes
 * touch many users, and the bytes on the wire match between a ceiling and its gateway scenario.
 */
import { MEMBERS_PAGE, USERS } from './fixtures';
import type { HttpRequestSpec } from './load';
import type { ServerProcess } from './processes';

export type ScenarioId = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G' | 'H' | 'I';

export interface Scenario {
  id: ScenarioId;
  title: string;
  server: ServerProcess;
  requests: HttpRequestSpec[];
}

export interface ScenarioServers {
  bare: ServerProcess;
  gateway: ServerProcess;
  standIn: ServerProcess;
  express: ServerProcess;
  /** Ceiling F: minimal NestJS + Fastify, one Map-lookup guard, `GET /v1/roles`. */
  nestRoles: ServerProcess;
  /** Ceiling G: the same minimal app forwarding `PATCH /v1/me` over an undici Pool. */
  nestProxy: ServerProcess;
}

/** `GET /v1/roles` with each user's access token. */
export function rolesReads(userTokens: readonly string[]): HttpRequestSpec[] {
  return userTokens.map((token) => ({ method: 'GET', path: '/v1/roles', headers: { authorization: `Bearer ${token}` } }));
}

/** `PATCH /v1/me` {name} with each user's access token. */
export function profileWrites(userTokens: readonly string[]): HttpRequestSpec[] {
  return userTokens.map((token, index) => ({
    method: 'PATCH',
    path: '/v1/me',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${USERS[index].name} (renamed)` }),
  }));
}

/** What the gateway sends upstream for each of those writes: `PUT .../users/v1/{userId}` with the vendor token. */
export function upstreamUserWrites(vendorToken: string): HttpRequestSpec[] {
  return USERS.map((user) => ({
    method: 'PUT',
    path: `/identity/resources/users/v1/${user.id}`,
    headers: { authorization: `Bearer ${vendorToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: `${user.name} (renamed)` }),
  }));
}

/** `GET /v1/users` (the first page of the caller's tenant members) with each user's access token. */
export function membersReads(userTokens: readonly string[]): HttpRequestSpec[] {
  return userTokens.map((token) => ({ method: 'GET', path: `/v1/users?limit=${MEMBERS_PAGE}`, headers: { authorization: `Bearer ${token}` } }));
}

/** What the gateway sends upstream for each of those reads: `GET .../users/v3` of the user's tenant, with the vendor token. */
export function upstreamMembersReads(vendorToken: string): HttpRequestSpec[] {
  return USERS.map((user) => ({
    method: 'GET',
    path: `/identity/resources/users/v3?_limit=${MEMBERS_PAGE}&_offset=0&_sortBy=createdAt&_order=DESC`,
    headers: { authorization: `Bearer ${vendorToken}`, 'frontegg-tenant-id': user.tenantId },
  }));
}

export function scenarios(servers: ScenarioServers, userTokens: readonly string[], vendorToken: string): Scenario[] {
  const reads = rolesReads(userTokens);
  return [
    { id: 'A', title: 'ceiling for reads: bare node:http, same JSON', server: servers.bare, requests: reads },
    { id: 'B', title: 'gateway cached read: GET /v1/roles', server: servers.gateway, requests: reads },
    { id: 'C', title: 'ceiling for writes: stand-in PUT users/v1 direct', server: servers.standIn, requests: upstreamUserWrites(vendorToken) },
    { id: 'D', title: 'gateway proxied write: PATCH /v1/me', server: servers.gateway, requests: profileWrites(userTokens) },
    { id: 'E', title: 'Express + @frontegg/client SDK + axios: roles', server: servers.express, requests: reads },
    { id: 'F', title: 'framework ceiling for reads: minimal NestJS + Fastify', server: servers.nestRoles, requests: reads },
    { id: 'G', title: 'framework ceiling for writes: minimal NestJS proxy', server: servers.nestProxy, requests: profileWrites(userTokens) },
    { id: 'H', title: 'ceiling for the members list: stand-in users/v3 direct', server: servers.standIn, requests: upstreamMembersReads(vendorToken) },
    { id: 'I', title: 'gateway members list: GET /v1/users', server: servers.gateway, requests: membersReads(userTokens) },
  ];
}
