import { Controller, Get, Header, Headers, HttpStatus } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '../auth/decorators/public.decorator';
import { ProblemException } from '../common/problems/problem.exception';
import { GatewayConfig } from '../config/gateway-config';
import { Registry } from 'prom-client';
import { Metrics } from './metrics.service';

/** Prometheus text format on the API port: public, or behind METRICS_TOKEN when it is set. */
@Controller('metrics')
@Public()
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    private readonly config: GatewayConfig,
  ) {}

  @Get()
  @ApiExcludeEndpoint()
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
