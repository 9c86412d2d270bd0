import { Injectable, OnModuleInit } from '@nestjs/common';
import { PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../auth/decorators/public.decorator';
import { POLICY } from './authorize.decorator';

/**
 * Refuses to start an app with a route that declares neither `@Authorize(policy)` nor `@Public()`:
 * a forgotten policy is found at start, not by an attacker. (The policy guard refuses such a
 * route as well, should one ever be registered another way.)
 */
@Injectable()
export class PolicyCoverage implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const uncovered = this.discovery.getControllers().flatMap(({ metatype, instance }) => {
      if (!metatype || !instance) return [];
      if (this.reflector.get<boolean>(IS_PUBLIC, metatype)) return [];
      const prototype = Object.getPrototypeOf(instance) as object;
      return this.scanner
        .getAllMethodNames(prototype)
        .map((name) => ({ name, handler: (prototype as Record<string, Function>)[name] }))
        .filter(({ handler }) => Reflect.hasMetadata(PATH_METADATA, handler))
        .filter(({ handler }) => !this.reflector.get(POLICY, handler) && !this.reflector.get(IS_PUBLIC, handler))
        .map(({ name }) => `${metatype.name}.${name}`);
    });
    if (uncovered.length > 0) {
      throw new Error(`Routes without an authorization policy (add @Authorize(...) or @Public()): ${uncovered.join(', ')}`);
    }
  }
}
