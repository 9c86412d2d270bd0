import { Module } from '@nestjs/common';
import { AuthenticationGuard } from './authentication.guard';
import { TokenVerifier } from './token-verifier.service';

/** Who is calling: the Frontegg access token, verified against the environment's JWKS. */
@Module({
  providers: [TokenVerifier, AuthenticationGuard],
  exports: [TokenVerifier, AuthenticationGuard],
})
export class AuthModule {}
