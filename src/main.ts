import 'reflect-metadata';
import { createGatewayApp } from './app.factory';
import { ConfigurationError, isLocalMode, loadGatewayConfig } from './config/gateway-config';
import { startLocalUpstream, type LocalUpstream } from './local-mode';

async function main(): Promise<void> {
  let environment = process.env;
  let local: LocalUpstream | undefined;
  if (isLocalMode(environment)) {
    local = await startLocalUpstream(environment);
    environment = { ...environment, ...local.environment };
  }

  const config = loadGatewayConfig(environment);
  const app = await createGatewayApp(config);
  if (config.frontegg.audiences.length === 0) {
    console.warn('FRONTEGG_AUDIENCE is not set: token audiences are not checked. Set it to your environment\'s client id.');
  }
  await app.listen({ port: config.port, host: config.host });

  if (local) {
    const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    process.stdout.write(local.instructions(`http://${shown}:${config.port}`));
    const upstream = local;
    process.once('beforeExit', () => void upstream.close());
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void upstream.close());
  }
}

main().catch((error: unknown) => {
  // One clear line per configuration problem; never a stack trace with values in it.
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
