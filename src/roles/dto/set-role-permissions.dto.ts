import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { PATH_ID_PATTERN } from '../../common/validation/path-id';

/** The values that cannot be permission ids, named in the 400 (a frontend sending keys sees which). */
function notIds(value: unknown): string {
  const values = Array.isArray(value) ? value : [value];
  return values
    .filter((item) => typeof item !== 'string' || !PATH_ID_PATTERN.test(item))
    .map((item) => (typeof item === 'string' ? item.slice(0, 64) : JSON.stringify(item)))
    .join(', ');
}

/** The complete set of permissions the role will have (it replaces the current set). */
export class SetRolePermissionsDto {
  @ApiProperty({
    type: [String],
    maxItems: 500,
    description:
      'Permission **ids**, not keys: the `id` of items of `GET /v1/permissions`. Every one must exist (else 400 listing the ' +
      'unknown ones in `unknownPermissionIds`) and be one you hold yourself (else 403 `permission-escalation`).',
    example: ['perm-read-roles', 'perm-reports-read'],
  })
  @IsArray() @ArrayMaxSize(500)
  @Matches(PATH_ID_PATTERN, { each: true, message: ({ value }) => `permissionIds must be permission ids (the id of items of GET /v1/permissions), not keys: ${notIds(value)}` })
  permissionIds!: string[];
}
