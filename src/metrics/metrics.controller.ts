import { Controller, Get, Header, Headers, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../common/openapi/problem-responses';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/decorators/public.decorator';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { Registry } from 'prom-client';
import { Metrics } from './metrics.service';

/** The security scheme of the document for METRICS_TOKEN. */
export const METRICS_SCHEME = 'metrics';

/** Prometheus text format on the API port: public, or behind METRICS_TOKEN when it is set. */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiTags('operations')
  @ApiOperation({ summary: 'Prometheus metrics (text format) on the API port; public unless METRICS_TOKEN is set' })
  @ApiBearerAuth(METRICS_SCHEME)
  @ApiOkResponse({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @ApiProblems({ 401: 'METRICS_TOKEN is set and the request did not carry it as `Authorization: Bearer <METRICS_TOKEN>`' })
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  async scrape(@Headers('authorization') authorization?: string): Promise<string> {
    if (this.config.metricsToken && !sameSecret(authorization, `Bearer ${this.config.metricsToken}`)) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'metrics need the metrics token', {
        headers: { 'WWW-Authenticate': 'Bearer realm="metrics"' },
      });
    }
    return this.metrics.registry.metrics();
  }
}

function sameSecret(given: string | undefined, expected: string): boolean {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
