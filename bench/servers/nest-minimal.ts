/**
 * The minimal NestJS 11 + Fastify app of ceilings F and G (issue 14): the project's own installed
 * @nestjs/core, @nestjs/platform-fastify and fastify, the logger off, and one global guard that
 * looks the bearer token up in a Map of the bench's callers. Nothing else: no validation pipe, no
 * hooks, no headers of its own. It is the least a NestJS gateway does per request on this machine,
 * so B/F and D/G measure the gateway's own code rather than the machine or the framework.
 *
 * Environment: BENCH_CALLERS_FILE, a JSON file of [access token, user id, tenant id] triples
 * (written by the orchestrator from the same tokens the load sends).
 */
import { UnauthorizedException, type CanActivate, type ExecutionContext, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { requiredEnv, tellParent } from './child';

export interface Caller {
  userId: string;
  tenantId: string;
}

/** What the guard leaves on the request for the handler. */
export interface CallerRequest {
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}

function loadCallers(): Map<string, Caller> {
  const triples = JSON.parse(readFileSync(requiredEnv('BENCH_CALLERS_FILE'), 'utf8')) as [string, string, string][];
  return new Map(triples.map(([token, userId, tenantId]) => [token, { userId, tenantId }]));
}

/** The one global guard: a Map lookup of the bearer token, 401 otherwise. */
class BearerMapGuard implements CanActivate {
  constructor(private readonly callers: Map<string, Caller>) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<CallerRequest>();
    const header = request.headers.authorization;
    const caller = typeof header === 'string' && header.startsWith('Bearer ') ? this.callers.get(header.slice(7)) : undefined;
    if (caller === undefined) throw new UnauthorizedException();
    request.caller = caller;
    return true;
  }
}

/** Starts the app of `module` on a free 127.0.0.1 port and tells the parent. */
export async function startMinimalNest(module: Type<unknown>): Promise<void> {
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false });
  app.useGlobalGuards(new BearerMapGuard(loadCallers()));
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = 65_000;
  tellParent(server);
}
