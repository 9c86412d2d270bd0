/**
 * Documentation that cannot lie (issue 12 item 3): every answer the end-to-end suites receive from
 * the gateway is checked against the committed document, openapi/gateway.json (which
 * test/openapi-document.e2e-spec.ts keeps equal to what the code produces):
 *
 *   - the status is documented for the operation (method and route template);
 *   - the body matches the documented schema of its content type ($refs resolved, with ajv);
 *   - the headers the gateway uses to tell clients something (below) are declared on that answer,
 *     and a declared required one (X-Request-Id) is there.
 *
 * The three ways tests reach the gateway pass through here: supertest (test/support/gateway.ts),
 * fetch against a gateway process or listening port (patched by openapi-conformance.setup.ts), and
 * raw sockets (test/security/support/raw-http.ts). A mismatch fails the test that received the
 * answer. Every answer checked is also appended to a file of this worker, and
 * openapi-conformance.teardown.ts sums them up at the end of the run.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DOCUMENT_FILE = join(__dirname, '..', '..', 'openapi', 'gateway.json');
export const CONFORMANCE_DIR = join(__dirname, '..', '..', 'test-output', 'openapi-conformance');

/** Headers whose presence is a statement to clients: each must be declared where it appears. */
const DECLARED_HEADERS = ['www-authenticate', 'retry-after', 'x-request-id', 'cache-status', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'];

/**
 * Answers outside the documented API, by design, each with the reason it is not in the document.
 * They are still checked: their status must be the one stated here and their body a problem.
 */
export const OUTSIDE_THE_DOCUMENT: {
  name: string;
  matches: (method: string, path: string, answer: ObservedAnswer) => boolean;
  statuses: number[];
  reason: string;
}[] = [
  {
    name: 'malformed-request',
    matches: (_method, _path, answer) => answer.status === 400 && /"detail":"malformed HTTP request"/.test(answer.text),
    statuses: [400],
    reason: "Node's HTTP parser refused the bytes (a bad request line or header): no request, so no operation, was made of them",
  },
  {
    name: 'docs',
    matches: (_method, path) => /^\/docs(-json|-yaml|\/.*)?$/.test(path),
    statuses: [200, 301, 302, 304, 404],
    reason: 'Swagger UI and the document itself: they describe the API, they are not part of it',
  },
  {
    name: 'cors-preflight',
    matches: (method) => method === 'OPTIONS',
    statuses: [204, 404],
    reason: "CORS preflights are answered by the CORS layer before any route (CORS_ORIGINS), not by an operation",
  },
];

/**
 * A method and path that no route serves: Fastify answers `404` (for any method, also on a known
 * path), before any operation runs, so the document has no operation to hold it. It is checked
 * as a problem. Paths the router cannot even parse (an over-long id, a malformed URL) are `400`.
 */
const UNROUTED_STATUSES = [400, 404, 413, 414, 415, 431];

interface Operation {
  responses: Record<string, DocumentedResponse>;
}
interface DocumentedResponse {
  description?: string;
  headers?: Record<string, { $ref?: string; required?: boolean; schema?: { type?: string } }>;
  content?: Record<string, { schema?: object }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { headers?: Record<string, { required?: boolean; schema?: { type?: string } }> };
}

export interface ObservedAnswer {
  method: string;
  /** The request target as sent (path and query), or a full URL. */
  url: string;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The body as received; empty when there was none. */
  text: string;
}

export interface Verdict {
  /** `GET /v1/roles/{roleId}`, or `unrouted` / an OUTSIDE_THE_DOCUMENT name. */
  operation: string;
  status: number;
  mismatches: string[];
}

class Conformance {
  private readonly document: OpenApiDocument;
  private readonly ajv: Ajv;
  private readonly templates: { template: string; pattern: RegExp; literal: number }[];
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly recordFile = join(CONFORMANCE_DIR, `answers-${process.pid}.jsonl`);

  constructor() {
    this.document = JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as OpenApiDocument;
    // OpenAPI 3.0 schemas: `nullable` is ajv's own; `example` and the like are annotations.
    this.ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.document as object, 'gateway.json');
    this.templates = Object.keys(this.document.paths)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^/]+?\\\}/g, '[^/]+')}$`),
        // A literal segment wins over a parameter: /v1/me/mfa/unenroll before /v1/{x}/mfa/unenroll.
        literal: template.split('/').filter((segment) => !segment.startsWith('{')).length,
      }))
      .sort((a, b) => b.literal - a.literal);
    mkdirSync(CONFORMANCE_DIR, { recursive: true });
  }

  check(answer: ObservedAnswer, record: boolean): Verdict {
    const method = answer.method.toUpperCase();
    const path = pathOf(answer.url);
    const verdict = this.judge(method, path, answer);
    if (record) appendFileSync(this.recordFile, `${JSON.stringify({ ...verdict, method, path })}\n`);
    return verdict;
  }

  private judge(method: string, path: string, answer: ObservedAnswer): Verdict {
    const outside = OUTSIDE_THE_DOCUMENT.find((entry) => entry.matches(method, path, answer));
    if (outside) {
      const mismatches = outside.statuses.includes(answer.status) ? [] : [`status ${answer.status} is not one of ${outside.statuses.join(', ')} (${outside.reason})`];
      if (answer.status >= 400) mismatches.push(...this.problemMismatches(answer));
      return { operation: outside.name, status: answer.status, mismatches };
    }
    const template = this.templates.find((candidate) => candidate.pattern.test(path))?.template;
    // HEAD is answered by the GET route, without a body.
    const documentedMethod = method === 'HEAD' ? 'get' : method.toLowerCase();
    const operation = template ? this.document.paths[template][documentedMethod] : undefined;
    if (!template || !operation) {
      const mismatches = UNROUTED_STATUSES.includes(answer.status) ? [] : [`${method} ${path} is no documented operation, yet answered ${answer.status} (expected 404)`];
      return { operation: 'unrouted', status: answer.status, mismatches: [...mismatches, ...this.problemMismatches(answer)] };
    }
    const name = `${method === 'HEAD' ? 'GET' : method} ${template}`;
    const response = operation.responses[String(answer.status)] ?? operation.responses.default;
    if (!response) {
      return { operation: name, status: answer.status, mismatches: [`status ${answer.status} is not documented (documented: ${Object.keys(operation.responses).join(', ')})`] };
    }
    const pointer = `#/paths/${escapePointer(template)}/${documentedMethod}/responses/${answer.status}`;
    const mismatches = [
      ...this.headerMismatches(response, answer),
      ...(method === 'HEAD' ? [] : this.bodyMismatches(response, pointer, answer)),
    ];
    return { operation: name, status: answer.status, mismatches };
  }

  private headerMismatches(response: DocumentedResponse, answer: ObservedAnswer): string[] {
    const declared = new Map(
      Object.entries(response.headers ?? {}).map(([name, header]) => [name.toLowerCase(), header.$ref ? this.componentHeader(header.$ref) : header]),
    );
    const mismatches: string[] = [];
    for (const name of DECLARED_HEADERS) {
      const value = answer.headers[name];
      const header = declared.get(name);
      if (value !== undefined && !header) mismatches.push(`header ${name} is sent but not declared`);
      if (value === undefined && header?.required) mismatches.push(`header ${name} is declared required but missing`);
      if (value !== undefined && header?.schema?.type === 'integer' && !/^\d+$/.test(String(value))) {
        mismatches.push(`header ${name}: ${String(value)} is not an integer`);
      }
    }
    return mismatches;
  }

  private componentHeader(ref: string): { required?: boolean; schema?: { type?: string } } | undefined {
    return this.document.components.headers?.[ref.replace('#/components/headers/', '')];
  }

  private bodyMismatches(response: DocumentedResponse, pointer: string, answer: ObservedAnswer): string[] {
    const mediaType = String(answer.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const content = response.content ?? {};
    if (answer.text.length === 0) {
      return Object.keys(content).length === 0 ? [] : [`no body, but ${Object.keys(content).join(', ')} is documented`];
    }
    if (!(mediaType in content)) {
      return [`body of type ${mediaType || '(none)'} is not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`];
    }
    const schema = content[mediaType].schema;
    if (!mediaType.endsWith('json')) return [];
    if (!schema || !hasShape(schema)) return [`${mediaType} has no schema, only ${schema ? Object.keys(schema).join(', ') : 'nothing'}`];
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      return [`body is not JSON: ${answer.text.slice(0, 80)}`];
    }
    return this.schemaMismatches(`${pointer}/content/${escapePointer(mediaType)}/schema`, body);
  }

  /** An answer no operation produced must still be a problem, as every error of the gateway is. */
  private problemMismatches(answer: ObservedAnswer): string[] {
    if (answer.status < 400 || answer.text.length === 0) return [];
    const mediaType = String(answer.headers['content-type'] ?? '').split(';')[0].trim();
    if (mediaType !== 'application/problem+json') return [`error answer of type ${mediaType || '(none)'} is not application/problem+json`];
    const mismatches = answer.headers['x-request-id'] === undefined ? ['header x-request-id is missing'] : [];
    try {
      return [...mismatches, ...this.schemaMismatches('#/components/schemas/ProblemDto', JSON.parse(answer.text))];
    } catch {
      return [...mismatches, 'problem body is not JSON'];
    }
  }

  private schemaMismatches(pointer: string, body: unknown): string[] {
    let validate = this.validators.get(pointer);
    if (!validate) {
      const compiled = this.ajv.getSchema(`gateway.json${pointer}`);
      if (!compiled) return [`no schema at ${pointer}`];
      validate = compiled;
      this.validators.set(pointer, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) => `body${error.instancePath} ${error.message}${error.params && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`);
  }
}

/** The path as the gateway's router sees it: not normalised (`/v1/roles/x/..` is not `/v1/roles`), no query. */
function pathOf(url: string): string {
  return url.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/, 1)[0];
}

function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function hasShape(schema: object): boolean {
  return ['type', '$ref', 'allOf', 'oneOf', 'anyOf'].some((keyword) => keyword in schema);
}

let conformance: Conformance | undefined;

/** Checks one answer of the gateway; the verdict lists what the document does not say. */
export function checkAnswer(answer: ObservedAnswer): Verdict {
  conformance ??= new Conformance();
  return conformance.check(answer, true);
}

/** The same verdict, not counted in the run's figures (for the checker's own tests). */
export function judgeAnswer(answer: ObservedAnswer): Verdict {
  conformance ??= new Conformance();
  return conformance.check(answer, false);
}

/** The error a mismatching answer fails its test with. */
export function conformanceError(verdict: Verdict): Error {
  return new Error(
    `The answer ${verdict.operation} → ${verdict.status} does not match openapi/gateway.json ` +
      `(fix the decorators or the code, then \`npm run openapi\`):\n  - ${verdict.mismatches.join('\n  - ')}`,
  );
}

/** Checks and throws on a mismatch. */
export function assertConforms(answer: ObservedAnswer): void {
  const verdict = checkAnswer(answer);
  if (verdict.mismatches.length > 0) throw conformanceError(verdict);
}

// ---------------------------------------------------------------------------------------------
// Where the gateway listens, for fetch and raw sockets (supertest is wrapped directly).

const gatewayOrigins = new Set<string>();

/** A gateway (in-process listening, or a built process) whose answers fetch must have checked. */
export function registerGatewayOrigin(origin: string): void {
  if (URL.canParse(origin)) gatewayOrigins.add(new URL(origin).origin);
}

export function isGatewayUrl(url: string): boolean {
  try {
    return gatewayOrigins.has(new URL(url).origin);
  } catch {
    return false;
  }
}

export function isGatewayPort(port: number): boolean {
  return gatewayOrigins.has(`http://127.0.0.1:${port}`);
}

// ---------------------------------------------------------------------------------------------
// supertest

const AGENT_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options']);

interface SupertestResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text?: string;
}
interface SupertestTest {
  method: string;
  url: string;
  assert(error: Error | null, response: SupertestResponse | undefined, callback?: (error: Error | null, response?: SupertestResponse) => void): void;
}

/**
 * The agent, with every answer checked before the test sees it: a mismatch is the error the
 * request rejects with (after the test's own `.expect` failures, which stay first).
 */
export function conformingAgent<Agent extends object>(agent: Agent): Agent {
  return new Proxy(agent, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== 'string' || !AGENT_METHODS.has(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => instrument((value as (...a: unknown[]) => SupertestTest).apply(target, args));
    },
  });
}

function instrument<Test extends SupertestTest>(test: Test): Test {
  const assert = test.assert.bind(test);
  test.assert = (error, response, callback) =>
    assert(error, response, (outcome, received) => {
      let mismatch: Error | null = null;
      if (received) {
        const verdict = checkAnswer({ method: test.method, url: test.url, status: received.status, headers: received.headers, text: received.text ?? '' });
        if (verdict.mismatches.length > 0) mismatch = conformanceError(verdict);
      }
      callback?.call(test, outcome ?? mismatch, received);
    });
  return test;
}
