import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

/** The signed-in user of a live session (CONTRACT §8): who, and until when. Never a token. */
export class SessionDto {
  @ApiProperty({ example: 'user-alice' }) userId!: string;
  @ApiProperty({ description: 'The active tenant', example: 'tenant-acme' }) tenantId!: string;
  @ApiProperty({ example: 'alice@acme.test', nullable: true, type: String }) email!: string | null;
  @ApiProperty({ example: 'Alice Admin', nullable: true, type: String }) name!: string | null;
  @ApiProperty({
    format: 'date-time',
    description: 'When the session ends if it stays idle (SESSION_IDLE_TIMEOUT_S from now), never after SESSION_MAX_AGE_S from sign-in',
  })
  expiresAt!: string;
}

export class LogoutDto {
  @ApiProperty({
    format: 'uri',
    description: "The identity provider's end-session URL: send the browser there to end the Frontegg session too",
    example: 'https://login.example.com/oauth/logout?post_logout_redirect_uri=https%3A%2F%2Fapp.example.com%2F',
  })
  logoutUrl!: string;
}

export class LoginQueryDto {
  @ApiPropertyOptional({
    description: 'Where to go after signing in: a path on this site (starting with a single /). Anything else is a 400.',
    example: '/settings/profile',
    default: '/',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  returnTo?: string;
}
