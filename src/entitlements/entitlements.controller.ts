import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Authorize } from '../authorization/authorize.decorator';
import { Policies } from '../authorization/policies';
import { ApiProblems, withUpstreamProblems } from '../common/openapi/problem-responses';
import { ProblemException } from '../common/problems/problem.exception';
import { EntitlementDecisionDto, EntitlementsDto, EntitlementsQueryDto, requestedKeys } from './dto/entitlements.dto';
import { Entitlements } from './entitlements.service';

@ApiTags('entitlements')
@ApiExtraModels(EntitlementDecisionDto)
@Controller('v1/me/entitlements')
export class EntitlementsController {
  constructor(private readonly entitlements: Entitlements) {}

  @Get()
  @Authorize(Policies.readOwnEntitlements)
  @ApiOperation({
    summary: "What the caller's plan includes, decided as Frontegg's SDK decides (ENTITLEMENTS=on)",
    description:
      'For frontends to gate their UI: each feature and permission asked for, with `entitled` and, when not, the SDK\'s `justification`. ' +
      'Without parameters: every feature of the snapshot, and `permissions: {}`.',
  })
  @ApiOkResponse({ type: EntitlementsDto })
  // Upstream problems too: the caller's grants may be resolved from the identity API (CONTRACT §3).
  @ApiProblems(
    withUpstreamProblems({
      400: 'An empty parameter, a key that is not 1-128 of [A-Za-z0-9._:-] (named in the detail), or more than 50 keys',
      404: '`entitlements are off` (ENTITLEMENTS=off)',
      503: 'The entitlements snapshot is not loaded yet (see Retry-After)',
    }),
  )
  get(@Query() query: EntitlementsQueryDto, @Req() request: FastifyRequest): EntitlementsDto {
    if (!this.entitlements.enabled) throw ProblemException.notFound('entitlements are off');
    const keys = requestedKeys(query);
    // The policy guard established the caller and its grants (token or identity API, CONTRACT §3).
    const { principal, authorization } = request;
    return this.entitlements.decide(principal!, authorization!.grants.permissions, keys);
  }
}
