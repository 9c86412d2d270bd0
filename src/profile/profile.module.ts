import { Module } from '@nestjs/common';
import { IdentityModule } from '../identity/identity.module';
import { RolesModule } from '../roles/roles.module';
import { ProfileAssembler } from './profile-assembler.service';
import { ProfileController } from './profile.controller';
import { ProfileService } from './profile.service';

@Module({
  imports: [IdentityModule, RolesModule],
  controllers: [ProfileController],
  providers: [ProfileService, ProfileAssembler],
  exports: [ProfileAssembler],
})
export class ProfileModule {}
