import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createGatewayApp } from './app.factory';
import { flushLogs } from './common/logging/gateway-logger';
import { ConfigurationError, isLocalMode, loadGatewayConfig, type GatewayConfig } from './config/gateway-config';
import { Lifecycle } from './health/lifecycle.service';
import { startLocalUpstream, type LocalUpstream } from './local-mode';

async function main(): Promise<void> {
  let environment = process.env;
  let local: LocalUpstream | undefined;
  if (isLocalMode(environment)) {
    local = await startLocalUpstream(environment);
    environment = { ...environment, ...local.environment };
  }

  const config = loadGatewayConfig(environment);
  const app = await createGatewayApp(config, { docsSignInTokenUrl: local?.docsSignInTokenUrl });
  if (config.frontegg.audienceCheckDisabled) {
    console.warn('FRONTEGG_AUDIENCE=* turned the audience check off: tokens are accepted whatever their aud. This is refused in production; list the accepted audiences (your environment\'s client id) instead.');
  } else if (config.frontegg.audiences.length === 0) {
    console.warn('Neither FRONTEGG_AUDIENCE nor FRONTEGG_CLIENT_ID is set: token audiences are not checked.');
  }
  stopGracefullyOnSignals(app, config, local);
  await app.listen({ port: config.port, host: config.host });

  if (local) {
    const shown = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    // Last on the screen: the start-up log lines still in the batch would otherwise print after it.
    flushLogs();
    process.stdout.write(local.instructions(`http://${shown}:${config.port}`));
  }
}

/**
 * On SIGTERM or SIGINT: readiness answers 503 at once, the listener stops accepting, requests
 * in flight finish (at most SHUTDOWN_TIMEOUT_MS), then Redis and the upstream connections close.
 */
function stopGracefullyOnSignals(app: NestFastifyApplication, config: GatewayConfig, local: LocalUpstream | undefined): void {
  const logger = new Logger('Shutdown');
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    app.get(Lifecycle).beginShutdown();
    logger.log({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing requests in flight');
    const deadline = setTimeout(() => {
      logger.error('requests still in flight at the shutdown deadline; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    await app.close();
    await local?.close();
    clearTimeout(deadline);
    logger.log('shut down');
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (received) => void stop(received));
}

main().catch((error: unknown) => {
  // One clear line per configuration problem; never a stack trace with values in it.
  console.error(error instanceof ConfigurationError ? error.message : error);
  process.exit(1);
});
