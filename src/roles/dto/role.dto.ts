import { ApiProperty } from '@nestjs/swagger';

/** A role as the gateway answers it (CONTRACT §4.1). */
export class RoleDto {
  @ApiProperty({ example: 'role-admin' }) id!: string;
  @ApiProperty({ example: 'Admin' }) key!: string;
  @ApiProperty({ example: 'Admin' }) name!: string;
  @ApiProperty({ example: 'Manages the account', nullable: true, type: String }) description!: string | null;
  @ApiProperty({ description: 'Assigned to new members without explicit roles' }) isDefault!: boolean;
  @ApiProperty({ description: 'Role elevation: a lower level is a stronger role', minimum: 0, maximum: 32767, example: 10 })
  level!: number;
  @ApiProperty({ type: [String], description: 'Permission ids (see GET /v1/permissions for their keys)', example: ['perm-read-roles'] })
  permissions!: string[];
  @ApiProperty({ description: 'Belongs to no tenant: every tenant sees it, none may change it (403 environment-role)' })
  environmentWide!: boolean;
}
