import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadGatewayConfig } from '../src/config/gateway-config';
import { emulatorOptionsFromEnv } from '../src/emulator/env';

const root = join(__dirname, '..');

interface ComposeService {
  build?: unknown;
  command?: string[];
  environment: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe('docker-compose.yml (no Docker engine here: checked by reading it)', () => {
  const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as { services: Record<string, ComposeService> };
  const { emulator, gateway } = compose.services;

  it('runs the emulator and the gateway from the project image', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['emulator', 'gateway']);
    expect(emulator.build).toBe('.');
    expect(gateway.build).toBe('.');
    expect(emulator.command).toEqual(['node', 'dist/emulator/main.js']);
  });

  it("gives each service a configuration its own validation accepts", () => {
    expect(emulatorOptionsFromEnv(emulator.environment).problems).toEqual([]);
    const config = loadGatewayConfig(gateway.environment);
    expect(config.production).toBe(true);
    expect(config.port).toBe(3000);
  });

  it('points the gateway at the emulator with matching credentials, issuer and audience', () => {
    const config = loadGatewayConfig(gateway.environment);
    expect(config.frontegg.apiUrl).toBe(emulator.environment.EMULATOR_PUBLIC_URL);
    expect(config.frontegg.issuers).toEqual([emulator.environment.EMULATOR_PUBLIC_URL]);
    expect(config.frontegg.clientId).toBe(emulator.environment.EMULATOR_CLIENT_ID);
    expect(config.frontegg.apiKey).toBe(emulator.environment.EMULATOR_API_KEY);
    expect(config.frontegg.audiences).toEqual([emulator.environment.EMULATOR_CLIENT_ID]);
    expect(new URL(emulator.environment.EMULATOR_PUBLIC_URL).hostname).toBe('emulator');
  });

  it('publishes the ports the services listen on, with health checks and start order', () => {
    expect(gateway.ports).toEqual([`${gateway.environment.PORT}:${gateway.environment.PORT}`]);
    expect(emulator.ports).toEqual([`${emulator.environment.EMULATOR_PORT}:${emulator.environment.EMULATOR_PORT}`]);
    expect(gateway.healthcheck?.test.join(' ')).toContain('/health/ready');
    expect(emulator.healthcheck?.test.join(' ')).toContain('/.well-known/jwks.json');
    expect(gateway.depends_on).toEqual({ emulator: { condition: 'service_healthy' } });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');

  it('builds in one stage and runs production dependencies as a non-root user in another', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main.js"\]$/m);
  });
});
