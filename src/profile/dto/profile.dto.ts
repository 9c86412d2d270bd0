import { ApiProperty } from '@nestjs/swagger';

export class ProfileRoleDto {
  @ApiProperty({ example: 'role-admin' }) id!: string;
  @ApiProperty({ example: 'Admin' }) key!: string;
  @ApiProperty({ example: 'Admin' }) name!: string;
}

/**
 * A user as the gateway shows it (CONTRACT §4.1): roles and permissions of one tenant, every
 * field present (`null` when unknown), and nothing vendor-only.
 */
export class ProfileDto {
  @ApiProperty({ example: 'user-alice' }) id!: string;
  @ApiProperty({ example: 'alice@acme.test' }) email!: string;
  @ApiProperty({ example: 'Alice Admin', nullable: true, type: String }) name!: string | null;
  @ApiProperty({ example: '+14155550100', nullable: true, type: String }) phoneNumber!: string | null;
  @ApiProperty({ example: 'https://cdn.example.com/alice.png', nullable: true, type: String }) profilePictureUrl!: string | null;
  @ApiProperty({ nullable: true, type: Boolean }) verified!: boolean | null;
  @ApiProperty({ nullable: true, type: Boolean }) mfaEnrolled!: boolean | null;
  @ApiProperty({ description: 'The tenant these roles and permissions belong to', example: 'tenant-acme' }) tenantId!: string;
  @ApiProperty({ type: [String], example: ['tenant-acme'] }) tenantIds!: string[];
  @ApiProperty({ type: [ProfileRoleDto] }) roles!: ProfileRoleDto[];
  @ApiProperty({ type: [String], description: 'Permission keys', example: ['fe.secure.read.roles'] }) permissions!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true, example: { theme: 'dark' } })
  metadata!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) createdAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) lastLogin!: string | null;
}
