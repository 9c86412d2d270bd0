import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import './audited.decorator';

export type AuditOutcome = 'allowed' | 'denied' | 'failed';

/**
 * One structured line per administrative change (CONTRACT §4.2), written when the answer leaves,
 * so that every outcome is covered: refused by the guard, by validation, by a tenant or role
 * rule, failed upstream, or done. It names the actor and the target, never a token.
 */
@Injectable()
export class AuditTrail implements OnModuleInit {
  private readonly logger = new Logger('Audit');

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onResponse', (request, reply, done) => {
      this.close(request, reply);
      done();
    });
  }

  private close(request: FastifyRequest, reply: FastifyReply): void {
    // Routes marked @Audited carry their action in the route's config (see audited.decorator.ts).
    const entry = request.routeOptions.config.audit;
    if (!entry) return;
    this.logger.log(
      {
        audit: true,
        action: entry.action,
        actor: request.principal?.userId ?? 'anonymous',
        tenant: request.principal?.tenantId ?? null,
        target: entry.target(request) ?? null,
        outcome: outcomeOf(reply.statusCode),
        status: reply.statusCode,
        requestId: request.id,
      },
      `audit ${entry.action}`,
    );
  }
}

export function outcomeOf(status: number): AuditOutcome {
  if (status < 400) return 'allowed';
  return status < 500 ? 'denied' : 'failed';
}
