import { judgeAnswer, type ObservedAnswer } from './support/openapi-conformance';

/**
 * The checker every end-to-end answer goes through (test/support/openapi-conformance.ts) must
 * itself catch what it is there for: these answers are made up, and not counted in the run's figures.
 */
const problem = (status: number, extra: object = {}) =>
  JSON.stringify({ type: 'about:blank', title: 'x', status, detail: 'x', requestId: 'r-1', ...extra });
const answer = (overrides: Partial<ObservedAnswer>): ObservedAnswer => ({
  method: 'GET',
  url: '/v1/roles',
  status: 200,
  headers: { 'x-request-id': 'r-1', 'content-type': 'application/json; charset=utf-8' },
  text: '[]',
  ...overrides,
});
const problemHeaders = { 'x-request-id': 'r-1', 'content-type': 'application/problem+json' };

describe('the OpenAPI conformance check of the end-to-end suites', () => {
  it('passes a documented answer, naming its operation by route template', () => {
    const role = { id: 'r', key: 'k', name: 'n', description: null, isDefault: false, level: 1, permissions: [], environmentWide: true };
    const verdict = judgeAnswer(answer({ text: JSON.stringify([role]) }));
    expect(verdict).toEqual({ operation: 'GET /v1/roles', status: 200, mismatches: [] });
    expect(judgeAnswer(answer({ method: 'DELETE', url: '/v1/roles/role-1?x=1', status: 204, headers: { 'x-request-id': 'r' }, text: '' })).operation).toBe(
      'DELETE /v1/roles/{roleId}',
    );
  });

  it('catches an undocumented status', () => {
    expect(judgeAnswer(answer({ status: 500, headers: problemHeaders, text: problem(500) })).mismatches).toEqual([
      expect.stringContaining('status 500 is not documented'),
    ]);
  });

  it('catches a body that does not match its schema, and an undocumented property', () => {
    const missing = judgeAnswer(answer({ text: JSON.stringify([{ id: 'r' }]) }));
    expect(missing.mismatches).toEqual(expect.arrayContaining([expect.stringContaining("must have required property 'environmentWide'")]));
    const extra = judgeAnswer(answer({ method: 'GET', url: '/v1/me', status: 401, headers: { ...problemHeaders, 'www-authenticate': 'Bearer realm="api"' }, text: problem(401, { stack: 'at x' }) }));
    expect(extra.mismatches).toEqual(['body must NOT have additional properties: stack']);
  });

  it('checks a 403 reason against the reasons of that route', () => {
    const reset = { method: 'POST', url: '/v1/users/u-1/mfa/unenroll', status: 403, headers: problemHeaders };
    expect(judgeAnswer(answer({ ...reset, text: problem(403, { reason: 'protected-user' }) })).mismatches).toEqual([]);
    expect(judgeAnswer(answer({ ...reset, text: problem(403, { reason: 'environment-role' }) })).mismatches).toEqual([
      expect.stringContaining('body/reason must be equal to one of the allowed values'),
    ]);
    expect(judgeAnswer(answer({ ...reset, text: problem(403) })).mismatches).toEqual([expect.stringContaining("must have required property 'reason'")]);
  });

  it('catches a body of an undocumented content type, and headers sent but not declared or declared but missing', () => {
    expect(judgeAnswer(answer({ headers: { 'x-request-id': 'r', 'content-type': 'text/html' }, text: '<p>' })).mismatches).toEqual([
      expect.stringContaining('body of type text/html is not documented'),
    ]);
    expect(judgeAnswer(answer({ url: '/health/live', headers: { 'x-request-id': 'r', 'content-type': 'application/json', 'retry-after': '5' }, text: '{"status":"ok"}' })).mismatches).toEqual([
      'header retry-after is sent but not declared',
    ]);
    expect(judgeAnswer(answer({ headers: { 'content-type': 'application/json' } })).mismatches).toEqual(['header x-request-id is declared required but missing']);
  });

  it('holds an unrouted request to a 404 problem, and states why answers outside the document are', () => {
    expect(judgeAnswer(answer({ url: '/v2/nothing', status: 404, headers: problemHeaders, text: problem(404) }))).toEqual({ operation: 'unrouted', status: 404, mismatches: [] });
    expect(judgeAnswer(answer({ url: '/v1/roles/r-1', status: 200 })).mismatches).toEqual([expect.stringContaining('is no documented operation')]);
    expect(judgeAnswer(answer({ url: '/v2/nothing', status: 404, headers: { 'content-type': 'text/plain' }, text: 'Not Found' })).mismatches).toEqual([
      expect.stringContaining('is not application/problem+json'),
    ]);
    expect(judgeAnswer(answer({ url: '/docs-json', status: 200 })).operation).toBe('docs');
  });
});
