import { ApiProperty } from '@nestjs/swagger';

/** An entry of the environment's permission catalogue (CONTRACT §4.2). */
export class PermissionDto {
  @ApiProperty({ example: 'perm-read-roles' }) id!: string;
  @ApiProperty({ example: 'fe.secure.read.roles' }) key!: string;
  @ApiProperty({ example: 'Read roles' }) name!: string;
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ nullable: true, type: String, example: 'cat-fe-secure' }) categoryId!: string | null;
}
