import type { FastifyInstance, FastifyReply } from 'fastify';
import { compactVerify, createLocalJWKSet, SignJWT } from 'jose';
import type { EmulatorContext } from '../context';
import { FronteggError } from '../errors';
import { SIGNING_ALGORITHM } from '../keys';
import type { Grant, Redemption } from '../oauth-grants';
import { nowInSeconds } from '../tokens';
import { signInRefusal } from '../users';
import { signInWithPassword } from './identity-auth';
import { basicCredentials, handleOAuthFormsAndErrors, invalidClient, invalidGrant, invalidRequest, OAuthError, parseFields, type Fields } from './oauth-endpoint';

export const OIDC_DISCOVERY_PATH = '/.well-known/openid-configuration';
export const AUTHORIZE_PATH = '/oauth/authorize';
export const TOKEN_PATH = '/oauth/token';
export const LOGOUT_PATH = '/oauth/logout';
const JWKS_PATH = '/.well-known/jwks.json';

function queryFields(rawUrl: string | undefined): Fields {
  return parseFields(new URL(rawUrl ?? '/', 'http://emulator').searchParams);
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hash === '';
  } catch {
    return false;
  }
}

const escapeHtml = (value: string) =>
  value.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** The authorization request, checked: what the form carries in hidden fields and the code is bound to. */
interface AuthorizationRequest {
  client_id: string;
  redirect_uri: string;
  state: string;
  code_challenge: string;
  code_challenge_method: 'S256';
  scope: string;
  nonce?: string;
}

const REQUEST_FIELDS = ['response_type', 'client_id', 'redirect_uri', 'state', 'code_challenge', 'code_challenge_method', 'scope', 'nonce'] as const;

function checkAuthorizationRequest(fields: Fields, ctx: EmulatorContext): AuthorizationRequest {
  const { response_type: responseType, client_id: clientId, redirect_uri: redirectUri, state, code_challenge: challenge, code_challenge_method: method, scope, nonce } = fields;
  if (clientId === undefined) throw invalidRequest('client_id is missing');
  if (clientId !== ctx.options.clientId) throw invalidRequest('unknown client_id');
  if (redirectUri === undefined || !isHttpUrl(redirectUri)) throw invalidRequest('redirect_uri must be an absolute http(s) URL without a fragment');
  if (responseType !== 'code') throw new OAuthError(400, 'unsupported_response_type', 'response_type must be code');
  if (!state) throw invalidRequest('state is required');
  // PKCE only (OAuth 2.1): a 43-character base64url SHA-256 digest.
  if (method !== 'S256') throw invalidRequest('code_challenge_method must be S256');
  if (challenge === undefined || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) throw invalidRequest('code_challenge must be the base64url SHA-256 of the code_verifier');
  if (nonce === '') throw invalidRequest('nonce is empty');
  return { client_id: clientId, redirect_uri: redirectUri, state, code_challenge: challenge, code_challenge_method: 'S256', scope: scope ?? 'openid', nonce };
}

/** A minimal sign-in page: no external asset, every value escaped, the request in hidden fields. */
function signInPage(request: AuthorizationRequest, email: string, error?: string): string {
  const hidden = Object.entries({ response_type: 'code', ...request })
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(String(value))}">`)
    .join('\n    ');
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Sign in (identity emulator)</title>
<style>body{font-family:sans-serif;max-width:22rem;margin:4rem auto}label,input,button{display:block;width:100%;margin:.4rem 0}.error{color:#b00020}</style>
</head>
<body>
  <h1>Sign in</h1>
  <p>Identity emulator: a seeded user's email and password.</p>
  ${error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(error)}</p>`}
  <form method="post" action="${AUTHORIZE_PATH}">
    ${hidden}
    <label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
    <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
  </form>
</body>
</html>
`;
}

/**
 * The page may not be framed (clickjacking) nor load anything. No `form-action`: browsers apply it to
 * the redirect that follows the post, and that goes to the client's redirect_uri on another origin.
 */
function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
    .header('x-frame-options', 'DENY')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(html);
}

/** Client authentication at the token endpoint (RFC 6749 §2.3.1): none, client_secret_post or client_secret_basic. */
function authenticateClient(fields: Fields, authorization: string | undefined, ctx: EmulatorContext): string {
  const basic = basicCredentials(authorization);
  if (basic && (fields.client_secret !== undefined || (fields.client_id !== undefined && fields.client_id !== basic.id))) {
    throw invalidRequest('use one client authentication method');
  }
  const clientId = basic?.id ?? fields.client_id;
  if (!clientId) throw invalidClient('client_id is missing');
  if (clientId !== ctx.options.clientId) throw invalidClient('unknown client_id');
  const expected = ctx.options.oauthClientSecret;
  if (expected !== '') {
    const given = basic?.secret ?? fields.client_secret;
    if (given === undefined || given === '') throw invalidClient('client authentication is required');
    if (given !== expected) throw invalidClient('wrong client secret');
  }
  return clientId;
}

interface TokenAnswer {
  access_token: string;
  id_token: string;
  refresh_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

async function issueTokens(ctx: EmulatorContext, grant: Grant, familyId: string): Promise<TokenAnswer> {
  const user = ctx.store.findUser(grant.userId);
  const refusal = user ? signInRefusal(user, grant.tenantId) : 'the user no longer exists';
  if (!user || refusal) {
    ctx.oauthGrants.revokeFamily(familyId);
    throw invalidGrant(refusal ?? 'the user no longer exists');
  }
  const ttlSeconds = ctx.options.oauthAccessTokenTtlSeconds;
  // The same user token as a sign-in gives, so the gateway verifies it exactly as a Bearer token.
  const { token: accessToken } = await ctx.userTokens.issue({ user, tenantId: grant.tenantId, ttlSeconds, authTime: grant.authTime });
  const issuedAt = nowInSeconds();
  const key = ctx.keys.currentKey;
  const idToken = await new SignJWT({
    email: user.email,
    email_verified: user.verified,
    name: user.name,
    auth_time: grant.authTime,
    sid: familyId,
    ...(grant.nonce === undefined ? {} : { nonce: grant.nonce }),
  })
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: 'JWT' })
    .setIssuer(ctx.issuer)
    .setAudience(grant.clientId)
    .setSubject(user.id)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(key.privateKey);
  return {
    access_token: accessToken,
    id_token: idToken,
    refresh_token: ctx.oauthGrants.rotate(familyId),
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    scope: grant.scope,
  };
}

function redeemed(redemption: Redemption): { grant: Grant; familyId: string } {
  if (!redemption.ok) throw invalidGrant(redemption.reason);
  return redemption;
}

/** The user an id_token_hint names, when it carries the emulator's signature, issuer and client (expired is fine: OIDC RP-Initiated Logout §2). */
async function hintedUser(ctx: EmulatorContext, hint: string): Promise<string | undefined> {
  try {
    const { payload } = await compactVerify(hint, createLocalJWKSet(ctx.keys.jwks()), { algorithms: [SIGNING_ALGORITHM] });
    const claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
    if (claims.iss !== ctx.issuer || claims.aud !== ctx.options.clientId || typeof claims.sub !== 'string') return undefined;
    return claims.sub;
  } catch {
    return undefined;
  }
}

/**
 * Frontegg's hosted login, which is an OpenID Connect provider on the login domain
 * (FRONTEGG_APP_URL): discovery, the authorization endpoint with a sign-in form for the seeded
 * users, the token endpoint (authorization code with PKCE S256, refresh token with rotation and
 * reuse detection) and logout. Requests are recorded and faulted like every non-control request,
 * so a test can count token-endpoint calls.
 */
export function registerHostedLoginRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.register(async (route) => {
    handleOAuthFormsAndErrors(route);

    route.get(OIDC_DISCOVERY_PATH, async () => ({
      issuer: ctx.issuer,
      authorization_endpoint: `${ctx.issuer}${AUTHORIZE_PATH}`,
      token_endpoint: `${ctx.issuer}${TOKEN_PATH}`,
      jwks_uri: `${ctx.issuer}${JWKS_PATH}`,
      end_session_endpoint: `${ctx.issuer}${LOGOUT_PATH}`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      authorization_response_iss_parameter_supported: true,
      grant_types_supported: ['authorization_code', 'refresh_token'],
      subject_types_supported: ['public'],
      code_challenge_methods_supported: ['S256'],
      id_token_signing_alg_values_supported: [SIGNING_ALGORITHM],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
      claims_supported: ['iss', 'aud', 'sub', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'email', 'email_verified', 'name'],
    }));

    route.get(AUTHORIZE_PATH, async (request, reply) => {
      const authorization = checkAuthorizationRequest(queryFields(request.raw.url), ctx);
      return sendPage(reply, 200, signInPage(authorization, ''));
    });

    route.post(AUTHORIZE_PATH, async (request, reply) => {
      if (!request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw invalidRequest('the form must be application/x-www-form-urlencoded');
      }
      const fields = (request.body ?? {}) as Fields;
      const requestFields = Object.fromEntries(REQUEST_FIELDS.filter((name) => name in fields).map((name) => [name, fields[name]]));
      const authorization = checkAuthorizationRequest(requestFields, ctx);
      const email = fields.email ?? '';
      let signIn;
      try {
        signIn = await signInWithPassword(ctx, email, fields.password ?? '');
      } catch (error) {
        // A wrong password, a locked user: the form again, with the reason.
        if (error instanceof FronteggError && error.statusCode === 401) return sendPage(reply, 200, signInPage(authorization, email, error.messages.join('; ')));
        throw error;
      }
      const code = ctx.oauthGrants.issueCode({
        clientId: authorization.client_id,
        redirectUri: authorization.redirect_uri,
        codeChallenge: authorization.code_challenge,
        userId: signIn.user.id,
        tenantId: String(signIn.claims.tenantId),
        authTime: Number(signIn.claims.auth_time),
        scope: authorization.scope,
        nonce: authorization.nonce,
      });
      const target = new URL(authorization.redirect_uri);
      target.searchParams.set('code', code);
      target.searchParams.set('state', authorization.state);
      target.searchParams.set('iss', ctx.issuer); // RFC 9207
      return reply.code(302).header('cache-control', 'no-store').header('location', target.href).send();
    });

    route.post(TOKEN_PATH, async (request, reply): Promise<TokenAnswer> => {
      if (!request.headers['content-type']?.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
        throw invalidRequest('the body must be application/x-www-form-urlencoded');
      }
      const fields = (request.body ?? {}) as Fields;
      const grantType = fields.grant_type;
      if (grantType === undefined) throw invalidRequest('grant_type is missing');
      if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
        throw new OAuthError(400, 'unsupported_grant_type', 'grant_type must be authorization_code or refresh_token');
      }
      const clientId = authenticateClient(fields, request.headers.authorization, ctx);
      let answer: TokenAnswer;
      if (grantType === 'authorization_code') {
        if (!fields.code) throw invalidRequest('code is missing');
        if (!fields.redirect_uri) throw invalidRequest('redirect_uri is missing');
        if (!fields.code_verifier) throw invalidRequest('code_verifier is missing');
        const { grant, familyId } = redeemed(ctx.oauthGrants.redeemCode(fields.code, clientId, fields.redirect_uri, fields.code_verifier));
        answer = await issueTokens(ctx, grant, familyId);
      } else {
        if (!fields.refresh_token) throw invalidRequest('refresh_token is missing');
        const { grant, familyId } = redeemed(ctx.oauthGrants.useRefreshToken(fields.refresh_token, clientId));
        answer = await issueTokens(ctx, grant, familyId);
      }
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return answer;
    });

    route.get(LOGOUT_PATH, async (request, reply) => {
      const { id_token_hint: hint, post_logout_redirect_uri: redirectUri, state } = queryFields(request.raw.url);
      if (redirectUri !== undefined && !isHttpUrl(redirectUri)) throw invalidRequest('post_logout_redirect_uri must be an absolute http(s) URL');
      const userId = hint === undefined ? undefined : await hintedUser(ctx, hint);
      if (hint !== undefined && userId === undefined) throw invalidRequest('id_token_hint is not an ID token of this provider');
      if (userId !== undefined) ctx.oauthGrants.revokeUser(userId);
      if (redirectUri !== undefined) {
        const target = new URL(redirectUri);
        if (state !== undefined) target.searchParams.set('state', state);
        return reply.code(302).header('cache-control', 'no-store').header('location', target.href).send();
      }
      return sendPage(
        reply,
        200,
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><h1>You are signed out</h1></body></html>\n',
      );
    });
  });
}
