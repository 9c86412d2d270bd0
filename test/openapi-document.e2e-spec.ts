import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OPENAPI_FILE, renderOpenApiDocument } from '../scripts/openapi';
import { DENIAL_REASONS } from '../src/common/problems/problem.exception';
import { startTestGateway } from './support/gateway';

interface LintProblem {
  severity: string;
  rule: string;
  message: string;
  at: string;
}

/** Redocly's linter on `file`, as `npm run lint:openapi` runs it (an ESM script, so in a process of its own). */
async function lintOpenApi(file: string): Promise<LintProblem[]> {
  const script = join(__dirname, '..', 'scripts', 'lint-openapi.mjs');
  const { stdout } = await promisify(execFile)(process.execPath, [script, file]).catch((failure: { stdout?: string }) => {
    if (!failure.stdout) throw failure;
    return { stdout: failure.stdout };
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as LintProblem[];
}

/** Issue 12 item 1: the document frontends build against is committed, and never stale. */
describe('openapi/gateway.json', () => {
  let produced: string;
  let committed: string;

  beforeAll(async () => {
    produced = await renderOpenApiDocument();
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  });

  it('is what the code produces (else run `npm run openapi` and commit the diff)', () => {
    if (committed !== produced) {
      const at = [...committed].findIndex((character, index) => character !== produced[index]);
      const line = committed.slice(0, at).split('\n').length;
      throw new Error(`openapi/gateway.json is stale from line ${line}: run \`npm run openapi\` and commit the diff`);
    }
  });

  it('is stable: sorted keys, a trailing newline, no host, port or run-specific value', async () => {
    expect(await renderOpenApiDocument()).toBe(produced);
    expect(produced.endsWith('}\n')).toBe(true);
    const document = JSON.parse(produced) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual([...Object.keys(document)].sort());
    expect(document.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(produced).not.toMatch(/127\.0\.0\.1|localhost|frontegg\.com|openapi-document/);
  });

  it('passes Redocly\'s recommended rules with no error and no warning (`npm run lint:openapi`, redocly.yaml)', async () => {
    expect(await lintOpenApi(OPENAPI_FILE)).toEqual([]);
  });

  it('declares its public operations public (`security: []`), exactly the @Public() routes without a scheme of their own', () => {
    const document = JSON.parse(produced) as { paths: Record<string, Record<string, { security?: unknown[] }>> };
    const publicOperations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([, operation]) => Array.isArray(operation.security) && operation.security.length === 0)
        .map(([method]) => `${method} ${path}`),
    );
    expect(publicOperations.sort()).toEqual(['get /auth/callback', 'get /auth/login', 'get /health/live', 'get /health/ready']);
  });

  it('is held by that lint: a copy without license, servers or a public declaration fails it, and the redirect waiver is for this file only', async () => {
    const document = JSON.parse(produced);
    delete document.info.license;
    document.servers = [];
    delete document.paths['/health/live'].get.security;
    const folder = mkdtempSync(join(tmpdir(), 'openapi-lint-'));
    try {
      writeFileSync(join(folder, 'broken.json'), JSON.stringify(document));
      const rules = (await lintOpenApi(join(folder, 'broken.json'))).map((problem) => `${problem.rule} ${problem.at}`);
      expect(rules.sort()).toEqual(
        [
          'info-license #/info',
          'no-empty-servers #/servers',
          'security-defined #/paths/~1health~1live/get',
          'operation-2xx-response #/paths/~1auth~1login/get/responses',
          'operation-2xx-response #/paths/~1auth~1callback/get/responses',
        ].sort(),
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('is the document the gateway serves at /docs-json (outside local mode, browser sessions on)', async () => {
    const gateway = await startTestGateway({ SESSIONS: 'on', PUBLIC_URL: 'https://gateway.example.com' });
    try {
      const served = (await gateway.http().get('/docs-json')).body;
      expect(served).toEqual(JSON.parse(produced));
    } finally {
      await gateway.close();
    }
  });

  it('describes Bearer tokens only when browser sessions are off: no /auth routes, no cookie scheme', async () => {
    const gateway = await startTestGateway();
    try {
      const served = (await gateway.http().get('/docs-json')).body;
      expect(Object.keys(served.paths).filter((path) => path.startsWith('/auth/'))).toEqual([]);
      expect(Object.keys(served.components.securitySchemes).sort()).toEqual(['bearer', 'metrics']);
      expect(served.paths['/v1/me'].get.security).toEqual([{ bearer: [] }]);
      expect(JSON.parse(produced).paths['/v1/me'].get.security).toEqual([{ bearer: [] }, { sessionCookie: [], csrfHeader: [] }]);
    } finally {
      await gateway.close();
    }
  });

  it('documents every 403 as a DenialProblemDto whose reason is an enum of CONTRACT §3 reasons', () => {
    const document = JSON.parse(produced);
    expect(document.components.schemas.DenialReason.enum).toEqual([...DENIAL_REASONS]);
    expect(document.components.schemas.DenialProblemDto.required).toContain('reason');
    const forbidden = Object.values<Record<string, { responses: Record<string, { content: Record<string, { schema: unknown }> }> }>>(document.paths)
      .flatMap((methods) => Object.values(methods))
      .map((operation) => operation.responses['403'])
      .filter(Boolean);
    expect(forbidden.length).toBeGreaterThan(5);
    for (const response of forbidden) {
      expect(response.content['application/problem+json'].schema).toEqual({
        allOf: [
          { $ref: '#/components/schemas/DenialProblemDto' },
          { type: 'object', properties: { reason: { type: 'string', enum: expect.arrayContaining([expect.stringMatching(new RegExp(`^(${DENIAL_REASONS.join('|')})$`))]) } } },
        ],
      });
    }
  });

  it('tells a frontend what it can act on: environmentWide on every Role, permission ids and where to find them', () => {
    const document = JSON.parse(produced);
    const role = document.components.schemas.RoleDto;
    expect(role.required).toContain('environmentWide');
    expect(role.properties.environmentWide.type).toBe('boolean');
    const setPermissions = document.paths['/v1/roles/{roleId}/permissions'].put;
    expect(document.components.schemas.SetRolePermissionsDto.properties.permissionIds.description).toMatch(/ids.*GET \/v1\/permissions/s);
    expect(setPermissions.responses['400'].description).toContain('unknownPermissionIds');
    expect(document.components.schemas.ProblemDto.properties.unknownPermissionIds).toMatchObject({ type: 'array', items: { type: 'string' } });
  });
});
