import { Module } from '@nestjs/common';
import { AuthorizationModule } from '../authorization/authorization.module';
import { IdentityModule } from '../identity/identity.module';
import { ProfileModule } from '../profile/profile.module';
import { MembersController } from './members.controller';
import { MemberAdministration } from './member-administration.service';
import { MembersService } from './members.service';

@Module({
  imports: [IdentityModule, AuthorizationModule, ProfileModule],
  controllers: [MembersController],
  providers: [MembersService, MemberAdministration],
})
export class MembersModule {}
