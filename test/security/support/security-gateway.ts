import type { AddressInfo } from 'node:net';
import { EmulatorControlClient, PLAN_BUSINESS, TENANT_GLOBEX, type EmulatorOptions, type RecordedRequest, type RunningEmulator } from '../../../src/emulator';
import { EntitlementsSnapshotStore } from '../../../src/entitlements/entitlements-snapshot.store';
import { GatewayConfig } from '../../../src/config/gateway-config';
import { registerGatewayOrigin } from '../../support/openapi-conformance';
import { startGatewayOn as startTestGatewayOn, startTestGateway, type TestGateway } from '../../support/gateway';

/** Every management call goes under this prefix; `/auth/vendor` and the JWKS do not. */
export const MANAGEMENT = /^\/identity\//;
export const JWKS_PATH = '/.well-known/jwks.json';

export interface SecurityGateway extends TestGateway {
  /** The gateway also listens on a real port, for raw sockets and hand-written request lines. */
  port: number;
  /** Recorded calls to Frontegg's management API (not the vendor token, not the JWKS). */
  managementCalls: () => Promise<RecordedRequest[]>;
  /** Recorded management calls that change something. */
  upstreamWrites: () => Promise<RecordedRequest[]>;
  jwksFetches: () => Promise<RecordedRequest[]>;
}

/**
 * The project's test gateway (test/support/gateway.ts), listening on 127.0.0.1, with a rate limit
 * high enough that hundreds of refused attempts from one address stay attempts (the limiter has
 * suites of its own). Whatever else the environment says wins.
 */
/**
 * No rate limit in the way of the attacks. Plans on, so that GET /v1/me/entitlements is attacked
 * too, with every seeded tenant on Business (see entitledEverywhere): a plan refusal must not stand
 * in for the refusal each attack is about (plans are test/entitlements.e2e-spec.ts's subject).
 */
const SECURITY_ENVIRONMENT = { RATE_LIMIT_PER_MINUTE: '1000000', ENTITLEMENTS: 'on' };

export async function startSecurityGateway(
  environment: Record<string, string> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<SecurityGateway> {
  return listening(await startTestGateway({ ...SECURITY_ENVIRONMENT, ...environment }, emulatorOptions));
}

/**
 * A fresh gateway (fresh key cache, fresh fetch gate) against an emulator that outlives it, for
 * suites that need a new gateway per test without paying for a new emulator (and its RSA key)
 * each time. The same wiring as test/support/gateway.ts; closing it leaves the emulator running.
 */
export async function startGatewayOn(emulator: RunningEmulator, environment: Record<string, string> = {}): Promise<SecurityGateway> {
  await new EmulatorControlClient(emulator.url).reset();
  return listening(await startTestGatewayOn(emulator, { ...SECURITY_ENVIRONMENT, ...environment }));
}

async function listening(gateway: TestGateway): Promise<SecurityGateway> {
  const server = gateway.app.getHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  registerGatewayOrigin(`http://127.0.0.1:${port}`);
  const managementCalls = () => gateway.upstream.requests({ path: MANAGEMENT });
  const reset = async () => {
    await gateway.reset();
    await entitledEverywhere(gateway);
  };
  await entitledEverywhere(gateway);
  return {
    ...gateway,
    reset,
    port,
    managementCalls,
    upstreamWrites: async () => (await managementCalls()).filter((call) => call.method !== 'GET'),
    jwksFetches: () => gateway.upstream.requests({ method: 'GET', path: JWKS_PATH }),
  };
}

/**
 * With ENTITLEMENTS=on: tenant-globex's expired Business trial is granted again, and the gateway
 * loads the snapshot now (a reset moved its offset), leaving no recorded request behind.
 */
async function entitledEverywhere(gateway: TestGateway): Promise<void> {
  if (!gateway.app.get(GatewayConfig).entitlements.enabled) return;
  await gateway.upstream.grantPlan({ planId: PLAN_BUSINESS, tenantId: TENANT_GLOBEX });
  await gateway.app.get(EntitlementsSnapshotStore).check();
  await gateway.upstream.clearRequests();
}

/** Keys any code path might have added to Object.prototype. */
export function prototypeKeys(): string[] {
  return Object.getOwnPropertyNames(Object.prototype).sort();
}
