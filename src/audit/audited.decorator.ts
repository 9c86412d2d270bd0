import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';

export const AUDITED_ACTION = 'audit:action';

export interface AuditedAction {
  action: string;
  /** What the change is about, read from the request (a path parameter, a body field). */
  target: (request: FastifyRequest) => string | undefined;
}

/** Marks an administrative change: one audit line is written for it, allowed, denied or failed. */
export function Audited(action: string, target: AuditedAction['target']): MethodDecorator {
  return applyDecorators(SetMetadata(AUDITED_ACTION, { action, target } satisfies AuditedAction), ApiExtension('x-audit-action', action));
}

/** Common targets. */
export const pathParameter = (name: string) => (request: FastifyRequest) => (request.params as Record<string, string>)?.[name];
export const bodyField = (name: string) => (request: FastifyRequest) => {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
};
export const callerItself = (request: FastifyRequest) => request.principal?.userId;
