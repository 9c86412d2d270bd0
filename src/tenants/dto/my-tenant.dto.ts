import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PATH_ID_PATTERN } from '../../common/validation/path-id';

/** One tenant the caller belongs to (CONTRACT §4.4). */
export class MyTenantDto {
  @ApiProperty({ example: 'tenant-acme' }) tenantId!: string;
  @ApiProperty({ example: 'Acme' }) name!: string;
  @ApiProperty({ description: "Whether it is the token's (the active) tenant" }) active!: boolean;
}

/** The tenant to make active: one the caller is an active member of. */
export class SwitchTenantDto {
  @ApiProperty({ pattern: PATH_ID_PATTERN.source, example: 'tenant-globex' })
  @IsString() @Matches(PATH_ID_PATTERN, { message: 'tenantId must be a tenant id (1-64 of A-Z a-z 0-9 _ -)' })
  tenantId!: string;
}

export class TenantSwitchedDto {
  @ApiProperty({ example: 'tenant-globex' }) tenantId!: string;
  @ApiProperty({
    description:
      'true with a Bearer token: it still names the old tenant until the app refreshes it. false with a browser session: the gateway ' +
      'refreshed the session itself, and the next request runs in the new tenant.',
  })
  refreshRequired!: boolean;
}
