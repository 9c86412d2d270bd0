import { Controller, Get, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { isPublicRoute, Public } from './public.decorator';

const contextOf = (controller: Function, handler: Function) => ({ getClass: () => controller, getHandler: () => handler }) as unknown as ExecutionContext;

describe('isPublicRoute', () => {
  class Base {
    @Get('shared')
    shared(): void {}
  }

  @Controller('open')
  @Public()
  class OpenController extends Base {
    @Get()
    list(): void {}
  }

  @Controller('closed')
  class ClosedController extends Base {
    @Get()
    list(): void {}

    @Get('health')
    @Public()
    health(): void {}
  }

  it('answers by handler and by controller, asked once or many times', () => {
    const reflector = new Reflector();
    for (let i = 0; i < 3; i++) {
      expect(isPublicRoute(reflector, contextOf(OpenController, OpenController.prototype.list))).toBe(true);
      expect(isPublicRoute(reflector, contextOf(ClosedController, ClosedController.prototype.list))).toBe(false);
      expect(isPublicRoute(reflector, contextOf(ClosedController, ClosedController.prototype.health))).toBe(true);
    }
  });

  it('keeps a handler inherited by two controllers public only where its controller is', () => {
    const reflector = new Reflector();
    const inherited = Base.prototype.shared;
    expect(isPublicRoute(reflector, contextOf(OpenController, inherited))).toBe(true);
    expect(isPublicRoute(reflector, contextOf(ClosedController, inherited))).toBe(false);
    expect(isPublicRoute(reflector, contextOf(OpenController, inherited))).toBe(true);
  });
});
