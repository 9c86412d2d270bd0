import { Controller, Get, HttpStatus, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/decorators/public.decorator';
import { ApiProblems } from '../common/openapi/problem-responses';
import { ProblemException } from '../common/problems/problem.exception';
import { ReadinessIndicators } from './readiness.indicators';

/** Each check by name: `up`, or `down` with why (terminus' HealthIndicatorResult). */
const CHECKS = { type: 'object', additionalProperties: { type: 'object', properties: { status: { type: 'string' } }, required: ['status'] } };

/** @nestjs/terminus' HealthCheckResult, as answered when every check passes (sharedStore may say degraded). */
const READINESS_SCHEMA = {
  type: 'object',
  properties: { status: { type: 'string', enum: ['ok'] }, info: CHECKS, error: CHECKS, details: CHECKS },
  required: ['status', 'details'],
  additionalProperties: false,
  example: { status: 'ok', info: { signingKeys: { status: 'up' }, vendorToken: { status: 'up' } }, error: {}, details: { signingKeys: { status: 'up' }, vendorToken: { status: 'up' } } },
};

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'The process is up (no dependency is checked)' })
  @ApiOkResponse({
    schema: { type: 'object', properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'], additionalProperties: false, example: { status: 'ok' } },
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Signing keys available and a vendor token valid or obtainable; 503 once shutdown begins' })
  @ApiOkResponse({ schema: READINESS_SCHEMA })
  @ApiProblems({ 503: 'Not ready: the failing checks are listed in `checks`' })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.readiness.notShuttingDown(),
        () => this.readiness.signingKeys(),
        () => this.readiness.vendorToken(),
        () => this.readiness.sharedStore(),
        ...(this.readiness.entitlementsEnabled ? [() => this.readiness.entitlementsSnapshot()] : []),
      ]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const checks = (error.getResponse() as { details?: unknown }).details;
      throw new ProblemException(HttpStatus.SERVICE_UNAVAILABLE, 'not ready', { extensions: { checks } });
    }
  }
}
