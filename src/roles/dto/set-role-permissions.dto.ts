import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, Matches } from 'class-validator';
import { PATH_ID_PATTERN } from '../../common/validation/path-id';

/** The complete set of permissions the role will have (it replaces the current set). */
export class SetRolePermissionsDto {
  @ApiProperty({ type: [String], maxItems: 500, example: ['perm-read-roles', 'perm-reports-read'] })
  @IsArray() @ArrayMaxSize(500)
  @Matches(PATH_ID_PATTERN, { each: true, message: 'each value in $property must be a permission id' })
  permissionIds!: string[];
}
