/**
 * Bodies of the emulator's own test controls (`/_emulator/...`): the wire types shared
 * with EmulatorControlClient, and the JSON schemas the routes validate them against.
 */
import type { SchemaObject } from 'ajv';
import type { RotationResult } from '../keys';

/** Where the controls live; nothing under it is part of Frontegg's API. */
export const CONTROL_PREFIX = '/_emulator';

/**
 * Marks a request the test harness makes on an official route (EmulatorControlClient's user
 * and role helpers): like a control, it is neither recorded nor faulted, so setting a test up
 * does not show in what the gateway under test was seen to send.
 */
export const HARNESS_HEADER = 'x-emulator-harness';

/**
 * The OAuth 2.0 token endpoint of the password grant (RFC 6749 §4.3) that the gateway's docs page
 * uses in local mode (routes/docs-sign-in.ts). A control, not Frontegg's: Frontegg's hosted-login
 * `/oauth/token` offers no password grant, so the emulator keeps that path for what Frontegg does.
 */
export const PASSWORD_GRANT_TOKEN_PATH = `${CONTROL_PREFIX}/oauth/token`;

/** A successful token answer (RFC 6749 §5.1). */
export interface PasswordGrantToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** An error answer of the token endpoint (RFC 6749 §5.2). */
export interface PasswordGrantError {
  error: 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type';
  error_description: string;
}

export interface FaultSpec {
  /** Any method when absent; compared case-insensitively. */
  method?: string;
  /** An exact path (no query), or a prefix ending with `*`. */
  path: string;
  status?: number;
  /** Answer body: JSON, or a string sent as text (like a proxy's error page). */
  body?: unknown;
  headers?: Record<string, string>;
  latencyMs?: number;
  /** How many matching requests the fault affects; until cleared when absent. */
  count?: number;
  /**
   * How many matching requests pass untouched before the fault acts (default 0): `skip: 1` fails
   * the second call of a two-call change, whichever call that is.
   */
  skip?: number;
  /** With status 429: sets `X-Rate-Limit-Reset` to now + N seconds, as an RFC 3339 time. */
  rateLimitResetSeconds?: number;
  /** Destroys the socket (after latencyMs, if any) instead of answering. */
  dropConnection?: boolean;
  /**
   * Answers `status` (default 200) with a JSON object of exactly this many bytes, streamed in
   * chunks without Content-Length (as a misbehaving upstream or proxy would): for size limits.
   */
  oversizedBodyBytes?: number;
  /**
   * The route handles the request as if it carried no `frontegg-tenant-id` (a roles call then acts
   * environment-wide), as an upstream that dropped the header would. It is still recorded as sent.
   */
  ignoreTenantHeader?: boolean;
}

export interface FaultCreated {
  id: string;
}

export interface RotateKeyRequest {
  retirePrevious?: boolean;
}

export type RotateKeyResult = RotationResult;

export type SignWith = 'current' | 'foreign' | 'none' | 'hs256-public-key';

export interface MintTokenRequest {
  /** A seeded user; user-alice when absent. */
  userId?: string;
  /** The active tenant (roles and permissions are computed for it); the user's default when absent. */
  tenantId?: string;
  /** Merged over the computed claims; a null value removes the claim. */
  claims?: Record<string, unknown>;
  /** Negative: already expired. */
  expiresInSeconds?: number;
  authTimeSecondsAgo?: number;
  /** Merged into the protected header (a null value removes the parameter); `alg` comes from signWith. */
  header?: Record<string, unknown>;
  signWith?: SignWith;
}

export interface MintedToken {
  token: string;
  claims: Record<string, unknown>;
}

/**
 * Which claims user tokens carry. `full`: Frontegg's default template, with `roles` and
 * `permissions`. `identity-only`: a JWT template that leaves both out (large tokens, custom
 * templates), so a client must resolve them from the identity API.
 */
export const TOKEN_CLAIMS_MODES = ['full', 'identity-only'] as const;
export type TokenClaimsMode = (typeof TOKEN_CLAIMS_MODES)[number];

export interface EmulatorSettings {
  vendorTokenTtlSeconds?: number;
  /** For sign-ins and minted tokens from now on; reset restores the start option (default `full`). */
  tokenClaims?: TokenClaimsMode;
}

/** One request the emulator received on a non-control route. */
export interface RecordedRequest {
  method: string;
  /** As received: without the query string, not decoded. */
  path: string;
  query: Record<string, unknown>;
  /** Lower-cased names, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or null when there was none. */
  body: unknown;
  /** ISO 8601 arrival time. */
  at: string;
}

const jsonObject = { type: 'object' } as const;

export const faultSpecSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['path'],
  properties: {
    method: { type: 'string', pattern: '^[A-Za-z]+$' },
    path: { type: 'string', pattern: '^/' },
    status: { type: 'integer', minimum: 200, maximum: 599 },
    body: {},
    headers: { type: 'object', additionalProperties: { type: 'string' } },
    latencyMs: { type: 'integer', minimum: 0, maximum: 60_000 },
    count: { type: 'integer', minimum: 1 },
    skip: { type: 'integer', minimum: 0 },
    rateLimitResetSeconds: { type: 'integer', minimum: 0 },
    dropConnection: { type: 'boolean' },
    oversizedBodyBytes: { type: 'integer', minimum: 16, maximum: 1_073_741_824 },
    ignoreTenantHeader: { type: 'boolean' },
  },
};

export const rotateKeyRequestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { retirePrevious: { type: 'boolean' } },
};

export const mintTokenRequestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    userId: { type: 'string' },
    tenantId: { type: 'string' },
    claims: jsonObject,
    expiresInSeconds: { type: 'integer' },
    authTimeSecondsAgo: { type: 'integer' },
    header: jsonObject,
    signWith: { enum: ['current', 'foreign', 'none', 'hs256-public-key'] },
  },
};

export const settingsRequestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    vendorTokenTtlSeconds: { type: 'integer', minimum: 1 },
    tokenClaims: { enum: [...TOKEN_CLAIMS_MODES] },
  },
};

/** `POST /_emulator/oauth/revoke`: ends hosted-login sign-ins as Frontegg's portal would (all, or one user's). */
export interface RevokeOAuthRequest {
  userId?: string;
}

export interface RevokeOAuthResult {
  /** How many live sign-ins (refresh-token families) were revoked. */
  revoked: number;
}

export const revokeOAuthRequestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: { userId: { type: 'string', minLength: 1 } },
};

/** `POST /_emulator/entitlements/grants`: grants a plan to a tenant, or to one user in it. */
export interface GrantPlanRequest {
  planId: string;
  tenantId: string;
  userId?: string;
  /** ISO 8601; no expiry when absent. */
  expiresAt?: string;
}

/** What an entitlements control answers: the snapshot's new offset. */
export interface EntitlementsChanged {
  snapshotOffset: number;
}

export const grantPlanRequestSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['planId', 'tenantId'],
  properties: {
    planId: { type: 'string', minLength: 1 },
    tenantId: { type: 'string', minLength: 1 },
    userId: { type: 'string', minLength: 1 },
    expiresAt: { type: 'string', format: 'date-time' },
  },
};

const treatment = { enum: ['true', 'false'] };
const rules = {
  type: 'array',
  items: {
    type: 'object',
    required: ['conditionLogic', 'conditions', 'treatment'],
    properties: { description: { type: 'string' }, conditionLogic: { enum: ['and', 'or'] }, conditions: { type: 'array', items: { type: 'object' } }, treatment },
  },
};
const strings = { type: 'array', items: { type: 'string' } };
const nullableString = { type: ['string', 'null'] };

/**
 * `PUT /_emulator/entitlements`: the whole snapshot data, in the tuple shapes of `vendor-entitlements/v1`.
 * (A malformed snapshot, for a client's sake, is served with a fault's body instead.)
 */
export const entitlementsDataSchema: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['features', 'featureBundles', 'entitlements', 'featureFlags'],
  properties: {
    features: { type: 'array', items: { type: 'array', items: [{ type: 'string' }, { type: 'string' }, strings], minItems: 3, additionalItems: false } },
    featureBundles: { type: 'array', items: { type: 'array', items: [{ type: 'string' }, strings, treatment, rules], minItems: 4, additionalItems: false } },
    entitlements: {
      type: 'array',
      // Shortened tuples are allowed, so no fixed-length tuple schema: 2 to 4 strings or nulls.
      items: { type: 'array', items: nullableString, minItems: 2, maxItems: 4 },
    },
    featureFlags: {
      type: 'array',
      items: { type: 'array', items: [{ type: 'string' }, { type: 'boolean' }, { const: 'boolean' }, treatment, treatment, rules], minItems: 6, additionalItems: false },
    },
  },
};
