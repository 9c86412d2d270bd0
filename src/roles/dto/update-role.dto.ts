import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IfPresent } from '../../common/validation/if-present';
import { ROLE_KEY_PATTERN } from './create-role.dto';

/** Changes to one of the caller's tenant roles; at least one property. */
export class UpdateRoleDto {
  @ApiPropertyOptional({ pattern: ROLE_KEY_PATTERN.source })
  @IfPresent() @IsString() @Matches(ROLE_KEY_PATTERN, { message: '$property must be 1-100 of A-Z a-z 0-9 _ . : -' })
  key?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 255 })
  @IfPresent() @IsString() @Length(1, 255)
  name?: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IfPresent() @IsString() @MaxLength(1000)
  description?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: 32767, description: 'Lower is stronger; at most as strong as your own' })
  @IfPresent() @IsInt() @Min(0) @Max(32767)
  level?: number;

  @ApiPropertyOptional()
  @IfPresent() @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional()
  @IfPresent() @IsBoolean()
  firstUserRole?: boolean;
}
