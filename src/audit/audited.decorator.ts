import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

export interface AuditedAction {
  action: string;
  /** What the change is about, read from the request (a path parameter, a body field). */
  target: (request: FastifyRequest) => string | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    audit?: AuditedAction;
  }
}

/**
 * Marks an administrative change: one audit line is written for it, allowed, denied or failed.
 * Kept in the Fastify route's config, where the audit trail's response hook finds it for every
 * answer, including the refusals of guards (which an interceptor would never see).
 */
export function Audited(action: string, target: AuditedAction['target']): MethodDecorator {
  return applyDecorators(RouteConfig({ audit: { action, target } satisfies AuditedAction }), ApiExtension('x-audit-action', action));
}

/** Common targets. */
export const pathParameter = (name: string) => (request: FastifyRequest) => (request.params as Record<string, string>)?.[name];
export const bodyField = (name: string) => (request: FastifyRequest) => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};
export const callerItself = (request: FastifyRequest) => request.principal?.userId;
