import type { FastifyHelmetOptions } from '@fastify/helmet';

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

/** @fastify/helmet for every answer; `/docs` gets DOCS_CSP instead (see app.factory.ts). */
export const HELMET_OPTIONS: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: { useDefaults: false, directives: API_CSP_DIRECTIVES },
  frameguard: { action: 'deny' },
  hsts: { maxAge: 31_536_000, includeSubDomains: true },
  referrerPolicy: { policy: 'no-referrer' },
};
