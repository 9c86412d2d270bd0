/**
 * `npm run openapi`: writes the gateway's OpenAPI document to `openapi/gateway.json`, the file frontend
 * teams build against. The gateway is built by its real factory with a production-like configuration
 * (never local mode, so no local-only security scheme) that needs no network: nothing is listened on
 * or called. test/openapi-document.e2e-spec.ts fails when the committed file is stale.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createGatewayApp } from '../src/app.factory';
import { buildOpenApiDocument, serializeOpenApiDocument } from '../src/common/openapi/openapi-document';
import { loadGatewayConfig } from '../src/config/gateway-config';

/** From scripts/ (ts, under Jest) or from scripts/dist/scripts/ (compiled, `npm run openapi`). */
const PROJECT_ROOT = existsSync(join(__dirname, '..', 'package.json')) ? join(__dirname, '..') : join(__dirname, '..', '..', '..');
export const OPENAPI_FILE = join(PROJECT_ROOT, 'openapi', 'gateway.json');

/** Placeholder values only: the document depends on none of them, and none appears in it. */
const DOCUMENT_ENVIRONMENT = {
  FRONTEGG_API_URL: 'https://api.frontegg.com',
  FRONTEGG_APP_URL: 'https://app-openapi.frontegg.com',
  FRONTEGG_CLIENT_ID: 'openapi-document',
  FRONTEGG_API_KEY: 'openapi-document',
  LOG_LEVEL: 'silent',
  // The document describes browser sessions too (CONTRACT §8); nothing is fetched at start.
  SESSIONS: 'on',
  PUBLIC_URL: 'https://gateway.example.com',
};

/** The document exactly as the code produces it, in its committed form. */
export async function renderOpenApiDocument(): Promise<string> {
  const app = await createGatewayApp(loadGatewayConfig(DOCUMENT_ENVIRONMENT));
  try {
    return serializeOpenApiDocument(buildOpenApiDocument(app));
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  renderOpenApiDocument()
    .then((text) => {
      writeFileSync(OPENAPI_FILE, text);
      process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
