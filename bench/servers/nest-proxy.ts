/**
 * Ceiling G, the framework's ceiling for writes: the minimal NestJS + Fastify app (nest-minimal.ts)
 * forwarding `PATCH /v1/me` as `PUT /identity/resources/users/v1/{userId}` to the upstream over an
 * undici Pool (the project's own undici), with the vendor token obtained once at start from
 * `POST /auth/vendor`, and the upstream's answer returned as is (status and body).
 *
 * Environment: BENCH_CALLERS_FILE (see nest-minimal.ts), BENCH_UPSTREAM_URL, BENCH_CLIENT_ID,
 * BENCH_API_KEY.
 */
import { Controller, Module, Patch, Req, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Pool } from 'undici';
import { requiredEnv } from './child';
import { startMinimalNest, type CallerRequest } from './nest-minimal';

const pool = new Pool(requiredEnv('BENCH_UPSTREAM_URL'), { connections: 50, pipelining: 1 });
let vendorToken = '';

async function fetchVendorToken(): Promise<string> {
  const { statusCode, body } = await pool.request({
    method: 'POST',
    path: '/auth/vendor',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: requiredEnv('BENCH_CLIENT_ID'), secret: requiredEnv('BENCH_API_KEY') }),
  });
  const answer = (await body.json()) as { token?: string };
  if (statusCode !== 200 || typeof answer.token !== 'string') throw new Error(`the upstream refused the vendor credentials (${statusCode})`);
  return answer.token;
}

@Controller()
class ProxyController {
  @Patch('v1/me')
  async updateMe(@Req() request: CallerRequest & { body: unknown }, @Res() reply: FastifyReply): Promise<void> {
    const { statusCode, headers, body } = await pool.request({
      method: 'PUT',
      path: `/identity/resources/users/v1/${request.caller!.userId}`,
      headers: { authorization: `Bearer ${vendorToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    const bytes = Buffer.from(await body.arrayBuffer());
    const type = headers['content-type'];
    if (typeof type === 'string') reply.header('content-type', type);
    await reply.status(statusCode).send(bytes);
  }
}

@Module({ controllers: [ProxyController] })
class ProxyModule {}

async function main(): Promise<void> {
  vendorToken = await fetchVendorToken();
  await startMinimalNest(ProxyModule);
}

void main();
