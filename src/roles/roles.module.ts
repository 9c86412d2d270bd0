import { Module } from '@nestjs/common';
import { AuthorizationModule } from '../authorization/authorization.module';
import { IdentityModule } from '../identity/identity.module';
import { PermissionsController } from './permissions.controller';
import { RoleAdministration } from './role-administration.service';
import { RoleKeyLock } from './role-key-lock';
import { RolesController } from './roles.controller';
import { RolesService } from './roles.service';

@Module({
  imports: [IdentityModule, AuthorizationModule],
  controllers: [RolesController, PermissionsController],
  providers: [RolesService, RoleAdministration, RoleKeyLock],
})
export class RolesModule {}
