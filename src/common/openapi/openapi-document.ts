import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME, CSRF_HEADER_SCHEME, SESSION_COOKIE_SCHEME } from './security-schemes';
import { GatewayConfig } from '../../config/gateway-config';
import { METRICS_SCHEME } from '../../metrics/metrics.controller';
import { PROBLEM_CONTENT_TYPE } from '../problems/problem-details';
import { DenialProblemDto, ProblemDto } from './problem.dto';

/** The OpenAPI security scheme of the docs page's sign-in, declared in local mode only. */
export const LOCAL_SIGN_IN_SCHEME = 'localSignIn';

export interface OpenApiDocumentOptions {
  /**
   * Local mode only: the identity emulator's OAuth 2.0 password-grant token endpoint. The document
   * then offers a sign-in to Swagger UI (see declareLocalSignIn). Never set for the committed document.
   */
  localSignInTokenUrl?: string;
}

/** The gateway's OpenAPI document, as `/docs-json` serves it and `openapi/gateway.json` holds it. */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiDocumentOptions = {}): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Frontegg identity gateway')
      .setDescription(
        'Backend-for-frontend for apps that sign users in with Frontegg. Send the user\'s Frontegg access token as ' +
          '`Authorization: Bearer <token>`, or (SESSIONS=on) sign the browser in at `/auth/login` and send its session cookie ' +
          'with `X-CSRF: 1`. Errors are RFC 9457 problem details; every answer carries `X-Request-Id`. ' +
          'A `403` carries `reason` (see DenialProblemDto) for frontends to branch on; `detail` is for people.',
      )
      .setVersion('1')
      // Relative: paths resolve against whatever origin serves the document (PUBLIC_URL, or local mode's port).
      .addServer('/', 'This gateway (the origin that serves this document)')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Frontegg user access token' }, BEARER_SCHEME)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN; needed only when it is set' }, METRICS_SCHEME)
      .build(),
    { extraModels: [ProblemDto, DenialProblemDto] },
  );
  // As package.json says: not licensed for use outside the organisation that runs it; the URL is npm's definition of it.
  document.info.license = { name: 'UNLICENSED', url: 'https://docs.npmjs.com/cli/configuring-npm/package-json#license' };
  const declared = declareSessions(declareCommonAnswers(closeObjectSchemas(document)), app.get(GatewayConfig));
  return declarePublicOperations(options.localSignInTokenUrl ? declareLocalSignIn(declared, options.localSignInTokenUrl) : declared);
}

/**
 * An operation left without a security requirement is `@Public()`: `@Authorize` always writes one, and the app refuses
 * to start with a route that has neither (policy-coverage.ts). Saying so with an explicit empty list (OpenAPI's
 * "no security") lets generated clients and linters tell a public operation from a forgotten declaration.
 */
function declarePublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const operation of operationsOf(document)) operation.security ??= [];
  return document;
}

/**
 * Local mode: an `oauth2` scheme whose password flow is the emulator's token endpoint, accepted
 * wherever the user's bearer token is (as an alternative to it), so Swagger UI's "Authorize" signs
 * a seeded user in on the page and "Try it out" sends that user's token. Frontegg offers no password
 * grant, so outside local mode the document has no such scheme and the docs page no such flow.
 */
function declareLocalSignIn(document: OpenAPIObject, tokenUrl: string): OpenAPIObject {
  declareSecuritySchemes(document, {
    [LOCAL_SIGN_IN_SCHEME]: {
      type: 'oauth2',
      description:
        'Local mode only: sign a seeded user in through the identity emulator, with the email and development password ' +
        'printed at start (e.g. alice@acme.test / frontegg-dev-password). Leave client_secret empty.',
      flows: { password: { tokenUrl, scopes: {} } },
    },
  });
  for (const operation of operationsOf(document)) {
    if (operation.security?.some((requirement) => BEARER_SCHEME in requirement)) {
      operation.security = [...operation.security, { [LOCAL_SIGN_IN_SCHEME]: [] }];
    }
  }
  return document;
}

/**
 * With SESSIONS=on, the session cookie (its name as configured) and the X-CSRF header it needs are
 * declared, and every route accepts them as one alternative to the Bearer token. Without, the
 * alternative is taken out again: the document then describes Bearer tokens only.
 */
function declareSessions(document: OpenAPIObject, config: GatewayConfig): OpenAPIObject {
  const { enabled, cookieName } = config.sessions;
  if (enabled) {
    return declareSecuritySchemes(document, {
      [SESSION_COOKIE_SCHEME]: {
        type: 'apiKey',
        in: 'cookie',
        name: cookieName,
        description:
          'Browser sessions (SESSIONS=on): the HttpOnly cookie set by GET /auth/callback after signing in at GET /auth/login ' +
          '(`__Host-session`; `session` when PUBLIC_URL is plain http). Browsers send it by themselves (fetch with credentials). ' +
          'Never together with a Bearer token (401).',
      },
      [CSRF_HEADER_SCHEME]: {
        type: 'apiKey',
        in: 'header',
        name: 'X-CSRF',
        description:
          'Required with the session cookie, value `1`; the request\'s Origin, when sent, must be the gateway\'s own or one of CORS_ORIGINS. Otherwise 403 with reason csrf.',
      },
    });
  }
  for (const operation of operationsOf(document)) {
    operation.security = operation.security?.filter((requirement) => !(SESSION_COOKIE_SCHEME in requirement));
  }
  return document;
}

function declareSecuritySchemes(document: OpenAPIObject, schemes: NonNullable<OpenAPIObject['components']>['securitySchemes']): OpenAPIObject {
  document.components = { ...document.components, securitySchemes: { ...document.components?.securitySchemes, ...schemes } };
  return document;
}

/** Every operation of every path, for the passes that rewrite their security requirements. */
function operationsOf(document: OpenAPIObject): { security?: Record<string, string[]>[] }[] {
  return Object.values(document.paths).flatMap((item) => Object.values(item) as { security?: Record<string, string[]>[] }[]);
}

/**
 * What every route may answer, declared once here rather than on each route: `431` for an
 * oversized header section (Node's parser, before any route), and the headers answers carry
 * whatever the route, under `components.headers` and referenced from every answer: `X-Request-Id` on every answer (CONTRACT §6), the
 * rate-limit state on every answer of a `/v1` route (the limiter counts before anything else).
 * Headers of one kind of answer (`WWW-Authenticate` on a 401, `Retry-After` on a 429 or 503,
 * `Cache-Status` on cached reads) are declared where those answers are documented.
 */
/** Routes the rate limiter counts: the API, and the browser-session routes (per client address before sign-in). */
const RATE_LIMITED_PATHS = /^\/(v1|auth)\//;

function declareCommonAnswers(document: OpenAPIObject): OpenAPIObject {
  document.components = {
    ...document.components,
    headers: {
      ...document.components?.headers,
      'X-Request-Id': {
        description: "The request's id: the client's X-Request-Id when it is 1-128 of [A-Za-z0-9._-], else a new UUID",
        required: true,
        schema: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' },
      },
      'RateLimit-Limit': { description: 'Requests allowed per minute (per user; per client address before authentication)', schema: { type: 'integer' } },
      'RateLimit-Remaining': { description: 'Requests left in the current one-minute window', schema: { type: 'integer' } },
      'RateLimit-Reset': { description: 'Seconds until the window starts again', schema: { type: 'integer' } },
    },
  };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const operation of Object.values(item) as { responses?: Record<string, { headers?: Record<string, unknown>; [field: string]: unknown }> }[]) {
      // Node's parser refuses an oversized header section (a huge token, too many cookies) on any route.
      operation.responses = {
        ...operation.responses,
        431: {
          description: 'Request header section larger than 16 KiB (refused before any route runs; the connection is closed)',
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/ProblemDto' } } },
        },
      };
      for (const response of Object.values(operation.responses ?? {})) {
        const common = RATE_LIMITED_PATHS.test(path) ? ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset'] : ['X-Request-Id'];
        response.headers = { ...response.headers, ...Object.fromEntries(common.map((name) => [name, { $ref: `#/components/headers/${name}` }])) };
      }
    }
  }
  return document;
}

/**
 * Every named schema lists all of its properties: request bodies refuse unknown properties
 * (a 400 naming them), and answers carry nothing else. Saying so lets generated clients and the
 * conformance check of the end-to-end suites hold the gateway to it.
 */
function closeObjectSchemas(document: OpenAPIObject): OpenAPIObject {
  for (const schema of Object.values(document.components?.schemas ?? {}) as { type?: string; properties?: object; additionalProperties?: unknown }[]) {
    if (schema.type === 'object' && schema.properties && schema.additionalProperties === undefined) schema.additionalProperties = false;
  }
  return document;
}

/**
 * The committed form of the document: keys sorted at every level (arrays keep their order, which
 * carries meaning, e.g. `required` and enums), two-space indent, one trailing newline. The same
 * code always gives the same bytes, so a diff of `openapi/gateway.json` is an API change.
 */
export function serializeOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
  );
}
