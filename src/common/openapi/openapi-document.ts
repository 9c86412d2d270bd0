import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { BEARER_SCHEME } from '../../auth/bearer-scheme';
import { DenialProblemDto, ProblemDto } from './problem.dto';

/** The gateway's OpenAPI document, as `/docs-json` serves it and `openapi/gateway.json` holds it. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Frontegg identity gateway')
      .setDescription(
        'Backend-for-frontend for apps that sign users in with Frontegg. Send the user\'s Frontegg access token as ' +
          '`Authorization: Bearer <token>`. Errors are RFC 9457 problem details; every answer carries `X-Request-Id`. ' +
          'A `403` carries `reason` (see DenialProblemDto) for frontends to branch on; `detail` is for people.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Frontegg user access token' }, BEARER_SCHEME)
      .build(),
    { extraModels: [ProblemDto, DenialProblemDto] },
  );
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
