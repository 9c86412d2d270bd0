import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsInt, IsString, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IfPresent } from '../../common/validation/if-present';

export const ROLE_KEY_PATTERN = /^[A-Za-z0-9_.:-]{1,100}$/;

/** One role for the caller's tenant (an admin's DTO: users have no say over roles). */
export class CreateRoleDto {
  @ApiProperty({ pattern: ROLE_KEY_PATTERN.source, example: 'billing-manager' })
  @IsString() @Matches(ROLE_KEY_PATTERN, { message: '$property must be 1-100 of A-Z a-z 0-9 _ . : -' })
  key!: string;

  @ApiProperty({ minLength: 1, maxLength: 255, example: 'Billing manager' })
  @IsString() @Length(1, 255)
  name!: string;

  @ApiPropertyOptional({ maxLength: 1000, example: 'Manages invoices and payment methods' })
  @IfPresent() @IsString() @MaxLength(1000)
  description?: string;

  @ApiProperty({ minimum: 0, maximum: 32767, description: 'Role elevation: lower is stronger; at most as strong as your own', example: 40 })
  @IsInt() @Min(0) @Max(32767)
  level!: number;

  @ApiPropertyOptional({ description: 'Assigned to new members without explicit roles' })
  @IfPresent() @IsBoolean()
  isDefault?: boolean;

  @ApiPropertyOptional({ description: 'Assigned to the first user of a tenant' })
  @IfPresent() @IsBoolean()
  firstUserRole?: boolean;
}
