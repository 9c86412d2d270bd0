import { Module } from '@nestjs/common';
import { AuthorizationModule } from '../authorization/authorization.module';
import { IdentityModule } from '../identity/identity.module';
import { ProfileAssembler } from './profile-assembler.service';
import { ProfileController } from './profile.controller';
import { ProfileService } from './profile.service';

@Module({
  imports: [IdentityModule, AuthorizationModule],
  controllers: [ProfileController],
  providers: [ProfileService, ProfileAssembler],
  exports: [ProfileAssembler],
})
export class ProfileModule {}
