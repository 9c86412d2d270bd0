import { ApiProperty } from '@nestjs/swagger';
import { ProfileRoleDto } from '../../profile/dto/profile.dto';

/**
 * A member of the caller's tenant as a Users page shows it (CONTRACT §4.3): the roles of that
 * tenant only, every field present (`null` when unknown), nothing else of the upstream user.
 */
export class MemberDto {
  @ApiProperty({ example: 'user-bob' }) id!: string;
  @ApiProperty({ example: 'bob@acme.test' }) email!: string;
  @ApiProperty({ example: 'Bob Reader', nullable: true, type: String }) name!: string | null;
  @ApiProperty({ example: 'https://cdn.example.com/bob.png', nullable: true, type: String }) profilePictureUrl!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) verified!: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) mfaEnrolled!: boolean | null;
  @ApiProperty({ type: [ProfileRoleDto], description: "The member's roles in your tenant" }) roles!: ProfileRoleDto[];
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) createdAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLogin!: string | null;
}

/** One page of the tenant's members. No count: a total would include users the tenant must not see. */
export class MembersPageDto {
  @ApiProperty({ type: [MemberDto] }) items!: MemberDto[];
  @ApiProperty({ description: 'The page number asked for (0 is the first)', example: 0 }) page!: number;
  @ApiProperty({ description: 'The page size asked for', example: 20 }) limit!: number;
  @ApiProperty({ description: 'Whether the identity API has a page after this one' }) hasMore!: boolean;
}
