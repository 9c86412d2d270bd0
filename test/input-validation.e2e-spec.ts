import { ValidationPipe } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DiscoveryService } from '@nestjs/core';
import { inputValidationPipe } from '../src/common/pipes/validation.pipe';
import { startTestGateway, type TestGateway } from './support/gateway';

const INPUTS = new Set([RouteParamtypes.BODY, RouteParamtypes.QUERY, RouteParamtypes.PARAM].map(String));

/**
 * Every input a request's sender writes is validated, whoever wrote the route, and nothing else goes through a pipe:
 * a global pipe ran over each custom argument (the principal, the trace) of every request, through four or five
 * promises each, to hand it back unchanged (issue 23).
 */
describe('input validation', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway();
  });
  afterAll(() => gateway?.close());
  beforeEach(() => gateway.reset());
  afterEach(() => jest.restoreAllMocks());

  it('every body, query and path parameter of every route has the validation pipe first; no other argument has a pipe', () => {
    const inputs: string[] = [];
    const others: string[] = [];
    for (const { metatype } of gateway.app.get(DiscoveryService).getControllers()) {
      if (!metatype) continue;
      for (const method of Object.getOwnPropertyNames(metatype.prototype)) {
        const routeArguments = (Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, method) ?? {}) as Record<string, { pipes: unknown[] }>;
        for (const [key, { pipes }] of Object.entries(routeArguments)) {
          const name = `${metatype.name}.${method} ${key}`;
          if (INPUTS.has(key.split(':')[0])) {
            expect([name, pipes[0]]).toEqual([name, inputValidationPipe()]);
            expect([name, pipes.filter((pipe) => pipe === inputValidationPipe()).length]).toEqual([name, 1]);
            inputs.push(name);
          } else {
            expect([name, pipes]).toEqual([name, []]);
            others.push(name);
          }
        }
      }
    }
    // The walk saw the gateway's routes: nine bodies and queries (the session routes' one is not registered here).
    expect(inputs.length).toBe(9);
    expect(others.length).toBeGreaterThan(inputs.length);
  });

  it('a cached read runs no pipe; a profile change validates its body, and refuses an unknown property', async () => {
    const bearer = `Bearer ${await gateway.token()}`;
    const transform = jest.spyOn(ValidationPipe.prototype, 'transform');

    expect((await gateway.http().get('/v1/roles').set('authorization', bearer)).status).toBe(200);
    expect((await gateway.http().get('/v1/me').set('authorization', bearer)).status).toBe(200);
    expect(transform).not.toHaveBeenCalled();

    const changed = await gateway.http().patch('/v1/me').set('authorization', bearer).send({ name: 'Alice Validated' });
    expect(changed.status).toBe(200);
    expect(changed.body.name).toBe('Alice Validated');
    expect(transform.mock.calls.map(([, metadata]) => metadata.type)).toEqual(['body']);

    const refused = await gateway.http().patch('/v1/me').set('authorization', bearer).send({ name: 'Mallory', mfaBypass: true });
    expect(refused.status).toBe(400);
    expect(refused.body.detail).toBe('property mfaBypass should not exist');
  });

  it('binding again (another app in the same process) adds no second pipe', async () => {
    const again = await startTestGateway();
    try {
      const [{ metatype }] = again.app.get(DiscoveryService).getControllers().filter(({ metatype }) => metatype?.name === 'ProfileController');
      const routeArguments = Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype!, 'update') as Record<string, { pipes: unknown[] }>;
      const body = Object.entries(routeArguments).find(([key]) => key.startsWith(`${RouteParamtypes.BODY}:`));
      expect(body?.[1].pipes).toEqual([inputValidationPipe()]);
    } finally {
      await again.close();
    }
  });
});
