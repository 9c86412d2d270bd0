import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { ProblemException } from '../../common/problems/problem.exception';

export const MAX_KEYS = 50;
const KEY = /^[A-Za-z0-9._:-]{1,128}$/;
const KEY_LIST_DESCRIPTION = `Comma-separated keys, each 1-128 of [A-Za-z0-9._:-]; ${MAX_KEYS} keys at most over both parameters`;

export class EntitlementsQueryDto {
  @ApiPropertyOptional({ description: `Feature keys. ${KEY_LIST_DESCRIPTION}. Neither parameter: every feature`, example: 'custom-roles,sso' })
  @IsOptional()
  @IsString()
  features?: string;

  @ApiPropertyOptional({ description: `Permission keys. ${KEY_LIST_DESCRIPTION}`, example: 'fe.secure.write.roles' })
  @IsOptional()
  @IsString()
  permissions?: string;
}

export class EntitlementDecisionDto {
  @ApiProperty() entitled!: boolean;
  @ApiProperty({
    enum: ['missing-feature', 'missing-permission', 'bundle-expired', null],
    nullable: true,
    type: String,
    description: "null when entitled; else @frontegg/client's justification",
  })
  justification!: 'missing-feature' | 'missing-permission' | 'bundle-expired' | null;
}

export class EntitlementsDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/EntitlementDecisionDto' },
    example: { 'custom-roles': { entitled: true, justification: null }, sso: { entitled: false, justification: 'bundle-expired' } },
  })
  features!: Record<string, EntitlementDecisionDto>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/EntitlementDecisionDto' },
    example: { 'fe.secure.write.roles': { entitled: false, justification: 'missing-feature' } },
  })
  permissions!: Record<string, EntitlementDecisionDto>;
}

/** The keys asked for (CONTRACT §4.5), or a `400` naming the first bad one. */
export function requestedKeys(query: EntitlementsQueryDto): { features?: string[]; permissions?: string[] } {
  const features = keyList('features', query.features);
  const permissions = keyList('permissions', query.permissions);
  const count = (features?.length ?? 0) + (permissions?.length ?? 0);
  if (count > MAX_KEYS) throw ProblemException.badRequest(`at most ${MAX_KEYS} keys may be asked for at once (got ${count})`);
  return { features, permissions };
}

function keyList(parameter: string, value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw ProblemException.badRequest(`${parameter} must list at least one key`);
  const keys = value.split(',');
  // Split first, so a long list is refused by its count without each key being checked.
  if (keys.length > MAX_KEYS) throw ProblemException.badRequest(`at most ${MAX_KEYS} keys may be asked for at once (got ${keys.length} ${parameter})`);
  keys.forEach((key, index) => {
    if (!KEY.test(key)) {
      const shown = key.length > 40 ? `${key.slice(0, 40)}…` : key;
      throw ProblemException.badRequest(`${parameter} key ${index + 1} (${JSON.stringify(shown)}) must be 1-128 of [A-Za-z0-9._:-]`);
    }
  });
  return [...new Set(keys)];
}
