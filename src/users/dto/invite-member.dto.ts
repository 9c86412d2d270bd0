import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsString, Length, MaxLength } from 'class-validator';
import { IfPresent } from '../../common/validation/if-present';
import { MemberRoleIds } from './member-roles';

/** An invitation into the caller's tenant (an admin's DTO: nothing here sets flags of the user itself). */
export class InviteMemberDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'new.colleague@acme.test' })
  @IsString() @MaxLength(254) @IsEmail()
  email!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 255, example: 'New Colleague' })
  @IfPresent() @IsString() @Length(1, 255)
  name?: string;

  @MemberRoleIds(
    "Roles of your tenant or environment-wide ones, each at most as strong as your own and granting only permissions you hold; none: the tenant's default roles",
    false,
  )
  @IfPresent()
  roleIds?: string[];

  @ApiPropertyOptional({ description: 'Do not send the invitation email' })
  @IfPresent() @IsBoolean()
  skipInviteEmail?: boolean;
}
