import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/** The API answers JSON only: a document it serves may load nothing and be framed by no one. */
const API_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Swagger UI (`/docs`) runs its own scripts and styles, all served from the gateway: same-origin
 * scripts only (no inline script, no eval), inline styles, data: images, and calls back to the
 * gateway for "Try it out". `connectSources` adds origins it may call too: in local mode only, the
 * identity emulator's, whose token endpoint signs a seeded user in on the page.
 */
export function docsCsp(connectSources: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "base-uri 'self'",
    ["connect-src 'self'", ...connectSources].join(' '),
    "font-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "img-src 'self' data:",
    "object-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
  ].join('; ');
}

export const DOCS_CSP = docsCsp();

/** Swagger UI's page and its assets (not the JSON and YAML documents, which need nothing). */
export const DOCS_PATH = /^\/docs(?:[/?]|$)/;

/** helmet for HTML documents (Swagger UI): its full set of headers, with the gateway's choices. */
export const DOCUMENT_HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
  xFrameOptions: { action: 'deny' },
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
} satisfies HelmetOptions;

/**
 * helmet for JSON answers (OWASP REST Security Cheat Sheet): the same, less the headers that only
 * an HTML document in a browser acts on (DNS prefetching of its links, IE8 downloads, Flash and
 * Acrobat policies, the retired XSS auditor, origin-keyed agent clusters). Every header is work
 * on every answer, and these five do nothing for JSON.
 */
export const API_HELMET_OPTIONS = {
  ...DOCUMENT_HELMET_OPTIONS,
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  originAgentCluster: false,
} satisfies HelmetOptions;

export interface SecurityHeaders {
  api: Record<string, string>;
  /** Swagger UI's page and assets (DOCS_PATH), with DOCS_CSP. */
  docs: Record<string, string>;
}

/**
 * helmet's headers, computed once at start: they do not depend on the request, and running
 * helmet's middleware chain on every answer cost about a third of a cached read.
 * Measured again (issue 14, 2026-12-02 09:00 UTC, shared 2-core machine, load average 3-4), against
 * helmet's middleware (the same options) called per request in an onRequest hook (@fastify/helmet is
 * not installed; it does the same per request): the same headers either way; server CPU µs per
 * request with bench/compare.ts, two alternating runs of 20 s each, precomputed against per request:
 * scenario B 192 / 192 against 198 / 208, D 564 / 594 against 605 / 596; alone
 * (bench/micro-libs.ts, Fastify.inject of a GET, medians of 7 rounds of 4,000, two runs):
 * 83.8 / 115.4 against 91.7 / 125.6 µs. Precomputed stays: helmet per request costs ≈ 8-10 µs more.
 * `docsConnectSources`: the origins Swagger UI may call besides the gateway (see docsCsp).
 */
export function securityHeaders(
  api: HelmetOptions = API_HELMET_OPTIONS,
  documents: HelmetOptions = DOCUMENT_HELMET_OPTIONS,
  docsConnectSources: readonly string[] = [],
): SecurityHeaders {
  return { api: helmetHeaders(api), docs: { ...helmetHeaders(documents), 'content-security-policy': docsCsp(docsConnectSources) } };
}

function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => delete headers[name.toLowerCase()],
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return headers;
}
