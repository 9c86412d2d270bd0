import { Controller, Get, Post, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { Public } from '../auth/decorators/public.decorator';
import { Authorize } from './authorize.decorator';
import { Policies } from './policies';
import { PolicyCoverage } from './policy-coverage';

@Controller('covered')
class CoveredController {
  @Get()
  @Authorize(Policies.listRoles)
  list(): string[] {
    return [];
  }

  @Get('open')
  @Public()
  open(): string {
    return 'ok';
  }

  /** Not a route: no policy needed. */
  helper(): void {}
}

@Controller('forgotten')
class ForgottenController {
  @Get()
  @Authorize(Policies.readMember)
  read(): string {
    return 'ok';
  }

  @Post('reset')
  reset(): void {}
}

async function startWith(...controllers: Type[]): Promise<void> {
  const moduleRef = await Test.createTestingModule({ imports: [DiscoveryModule], controllers, providers: [PolicyCoverage] }).compile();
  await moduleRef.init();
  await moduleRef.close();
}

describe('PolicyCoverage', () => {
  it('starts an app whose every route declares a policy or @Public()', async () => {
    await expect(startWith(CoveredController)).resolves.toBeUndefined();
  });

  it('refuses to start an app with a route that declares neither, naming it', async () => {
    await expect(startWith(CoveredController, ForgottenController)).rejects.toThrow(
      'Routes without an authorization policy (add @Authorize(...) or @Public()): ForgottenController.reset',
    );
  });
});
