import type { RunningEmulator } from '../../src/emulator';

export type Sdk = typeof import('@frontegg/client');

interface Stoppable {
  shutdown(): Promise<void>;
}

/**
 * Frontegg's own Node SDK (@frontegg/client) pointed at an emulator. The SDK reads its URLs from the
 * environment when it is loaded (FRONTEGG_API_GATEWAY_URL, config/index.js), so it is loaded only
 * once the emulator listens. Each authenticator the SDK makes schedules its own renewal: `stop`
 * shuts down those handed to `track`, and the one of its access-token resolver (which
 * validateIdentityOnToken tries on a refused JWT), or they keep the process alive.
 */
export async function sdkFor(emulator: RunningEmulator): Promise<{ sdk: Sdk; track(authenticator: Stoppable): void; stop(): Promise<void> }> {
  process.env.FRONTEGG_API_GATEWAY_URL = emulator.url;
  const sdk = await import('@frontegg/client');
  sdk.FronteggContext.init({ FRONTEGG_CLIENT_ID: emulator.clientId, FRONTEGG_API_KEY: emulator.apiKey });
  const authenticators: Stoppable[] = [];
  return {
    sdk,
    track: (authenticator) => void authenticators.push(authenticator),
    stop: async () => {
      const { accessTokenHeaderResolver } = await import('@frontegg/client/dist/src/clients/identity/token-resolvers');
      authenticators.push((accessTokenHeaderResolver as unknown as { authenticator: Stoppable }).authenticator);
      await Promise.all(authenticators.map((authenticator) => authenticator.shutdown()));
      delete process.env.FRONTEGG_API_GATEWAY_URL;
    },
  };
}
