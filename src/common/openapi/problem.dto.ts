import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { DENIAL_REASONS, type DenialReason } from '../problems/problem.exception';

/** One invalid property of a request body, or one message of the identity API's `400`. */
export class InvalidFieldDto {
  @ApiPropertyOptional({ description: 'The property at fault (absent for messages relayed from the identity API)', example: 'mfaBypass' })
  property?: string;
  @ApiProperty({ example: 'property mfaBypass should not exist' }) message!: string;
}

/** RFC 9457 problem details, as every error of the gateway is answered. */
export class ProblemDto {
  @ApiProperty({ example: 'about:blank' }) type!: string;
  @ApiProperty({ example: 'Forbidden' }) title!: string;
  @ApiProperty({ example: 403, minimum: 400, maximum: 599 }) status!: number;
  @ApiProperty({ description: 'For people, not for branching (use `status` and, on a 403, `reason`)', example: 'missing permission fe.secure.read.roles' })
  detail!: string;
  @ApiProperty({ description: 'The answer\'s X-Request-Id', example: '3f1c2b8e-4d59-4a51-9c1e-2a8f0e6d7b10' }) requestId!: string;
  @ApiPropertyOptional({ type: [InvalidFieldDto], description: 'On a 400: each invalid property and why' })
  errors?: InvalidFieldDto[];
  @ApiPropertyOptional({
    type: [String],
    description: 'On a 400 of PUT /v1/roles/{roleId}/permissions: the permission ids that are not in GET /v1/permissions',
    example: ['perm-nope'],
  })
  unknownPermissionIds?: string[];
  @ApiPropertyOptional({
    type: [String],
    description: 'On a 400 of POST /v1/users or PUT /v1/users/{userId}/roles: the role ids that are not roles your tenant sees',
    example: ['role-nope'],
  })
  unknownRoleIds?: string[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'On a 503 of GET /health/ready: each readiness check and its state',
    example: { signingKeys: { status: 'up' }, vendorToken: { status: 'down' } },
  })
  checks?: Record<string, unknown>;
}

/** A `403`: refused by a rule. Frontends branch on `reason` (CONTRACT §3). */
export class DenialProblemDto extends ProblemDto {
  @ApiProperty({ enum: DENIAL_REASONS, enumName: 'DenialReason', description: 'Why the request was refused', example: 'missing-permission' })
  reason!: DenialReason;
}
