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
 * gateway for "Try it out".
 */
export const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "connect-src 'self'",
  "font-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "img-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/** Swagger UI's page and its assets (not the JSON and YAML documents, which need nothing). */
export const DOCS_PATH = /^\/docs(?:[/?]|$)/;

const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
  frameguard: { action: 'deny' },
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
};

export interface SecurityHeaders {
  api: Record<string, string>;
  /** The same with DOCS_CSP, for DOCS_PATH. */
  docs: Record<string, string>;
}

/**
 * helmet's headers, computed once at start: they do not depend on the request, and running
 * helmet's middleware chain on every answer cost about a third of a cached read.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): SecurityHeaders {
  const api: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      api[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => delete api[name.toLowerCase()],
  } as unknown as ServerResponse;
  let failure: unknown;
  helmet(options)({} as IncomingMessage, response, (error?: unknown) => (failure = error));
  if (failure) throw failure;
  return { api, docs: { ...api, 'content-security-policy': DOCS_CSP } };
}
