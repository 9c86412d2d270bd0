import { Module } from '@nestjs/common';
import { AuthorizationModule } from '../authorization/authorization.module';
import { IdentityModule } from '../identity/identity.module';
import { MyTenantsController } from './my-tenants.controller';
import { MyTenantsService } from './my-tenants.service';

/** The caller's tenants and the tenant switch (CONTRACT §4.4). */
@Module({
  imports: [IdentityModule, AuthorizationModule],
  controllers: [MyTenantsController],
  providers: [MyTenantsService],
})
export class MyTenantsModule {}
