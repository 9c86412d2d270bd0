import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, Matches } from 'class-validator';
import { PATH_ID_PATTERN } from '../../common/validation/path-id';

export const MAX_MEMBER_ROLES = 20;

/** `roleIds` of an invitation or a role change: 0–20 distinct role ids (CONTRACT §4.3). */
export function MemberRoleIds(description: string, required = true): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ required, type: [String], maxItems: MAX_MEMBER_ROLES, uniqueItems: true, description, example: ['role-acme-auditor'] }),
    IsArray(),
    ArrayMaxSize(MAX_MEMBER_ROLES),
    ArrayUnique(undefined, { message: 'roleIds must not name a role twice' }),
    Matches(PATH_ID_PATTERN, { each: true, message: 'roleIds must be role ids (the id of items of GET /v1/roles)' }),
  );
}
