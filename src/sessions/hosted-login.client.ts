import { Injectable, Logger } from '@nestjs/common';
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { BodyTooLargeError, readBoundedText } from '../common/http/bounded-body';
import { GatewayConfig } from '../config/gateway-config';

/** Tokens from the hosted login's token endpoint, checked by openid-client (ID token signature, issuer, audience, nonce). */
export interface HostedLoginTokens {
  accessToken: string;
  /** The access token's `exp`, in milliseconds. */
  accessExpiresAt: number;
  refreshToken?: string;
  idToken?: string;
  email?: string;
  name?: string;
}

/**
 * Why the provider's answer was not tokens. `refused`: the provider said no (a used or expired
 * code or refresh token, a user who declined) or its answer failed a check: the grant is over.
 * `unavailable`: it did not answer usefully in time: the grant may still be good.
 */
export class HostedLoginError extends Error {
  constructor(
    readonly kind: 'refused' | 'unavailable',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const SCOPE = 'openid profile email';

/**
 * Frontegg's hosted login (an OpenID Connect provider at FRONTEGG_APP_URL), through openid-client:
 * discovery, the authorization URL (code flow, PKCE S256, state, nonce), the code and refresh-token
 * grants, and the end-session URL. Each request is bounded in time (UPSTREAM_TIMEOUT_MS) and in
 * size (UPSTREAM_MAX_RESPONSE_BYTES), like every other upstream call. Discovery is done once, when
 * first needed, and again after a failure, so the gateway starts whether or not the provider answers.
 */
@Injectable()
export class HostedLoginClient {
  private readonly logger = new Logger('HostedLogin');
  private discovered?: Promise<oidc.Configuration>;
  readonly callbackUrl: string;

  constructor(private readonly config: GatewayConfig) {
    this.callbackUrl = `${config.sessions.publicUrl}/auth/callback`;
  }

  async authorizationUrl(checks: { state: string; nonce: string; codeVerifier: string }): Promise<URL> {
    const configuration = await this.configuration();
    return oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.callbackUrl,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
  }

  /** The callback's code, exchanged: `callbackUrl` is the URL the browser arrived on (state and issuer are checked too). */
  async redeemCode(callbackUrl: URL, checks: { state: string; nonce: string; codeVerifier: string }): Promise<HostedLoginTokens> {
    const configuration = await this.configuration();
    return this.tokens(() =>
      oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      }),
    );
  }

  async refresh(refreshToken: string): Promise<HostedLoginTokens> {
    const configuration = await this.configuration();
    return this.tokens(() => oidc.refreshTokenGrant(configuration, refreshToken));
  }

  /**
   * Where the browser ends its session at the provider. Never fails: without discovery (the
   * provider not answering) it is Frontegg's documented `/oauth/logout`.
   */
  async logoutUrl(idToken: string | undefined): Promise<string> {
    const parameters: Record<string, string> = { post_logout_redirect_uri: `${this.config.sessions.publicUrl}/` };
    if (idToken) parameters.id_token_hint = idToken;
    try {
      const configuration = await this.configuration();
      if (configuration.serverMetadata().end_session_endpoint) return oidc.buildEndSessionUrl(configuration, parameters).href;
    } catch (error) {
      this.logger.warn({ err: error }, 'OpenID discovery failed: logout uses the default /oauth/logout');
    }
    const url = new URL(`${this.config.frontegg.appUrl}/oauth/logout`);
    for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
    return url.href;
  }

  private configuration(): Promise<oidc.Configuration> {
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = undefined;
      throw unavailableOrRefused(error, 'OpenID discovery');
    });
    return this.discovered;
  }

  private async discover(): Promise<oidc.Configuration> {
    const { clientId, clientSecret } = this.config.sessions;
    const authentication = clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None();
    const plainHttp = this.config.frontegg.appUrl.startsWith('http://');
    return oidc.discovery(new URL(this.config.frontegg.appUrl), clientId, undefined, authentication, {
      // The configuration check already refused plain http in production (FRONTEGG_ALLOW_HTTP aside).
      execute: plainHttp ? [oidc.allowInsecureRequests] : [],
      [oidc.customFetch]: this.boundedFetch,
    });
  }

  /** Every request of openid-client, bounded like the identity client's (time and bytes). */
  private readonly boundedFetch: oidc.CustomFetch = async (url, options) => {
    const timeout = AbortSignal.timeout(this.config.upstreamTimeoutMs);
    const response = await fetch(url, { ...options, signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout });
    const body = await readBoundedText(response, this.config.upstreamMaxResponseBytes);
    return new Response(response.status === 204 ? null : body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };

  private async tokens(grant: () => Promise<oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers>): Promise<HostedLoginTokens> {
    let answer;
    try {
      answer = await grant();
    } catch (error) {
      throw unavailableOrRefused(error, 'the token endpoint');
    }
    const claims = answer.claims();
    const accessExpiresAt = accessTokenExpiry(answer);
    return {
      accessToken: answer.access_token,
      accessExpiresAt,
      refreshToken: answer.refresh_token,
      idToken: answer.id_token,
      email: typeof claims?.email === 'string' ? claims.email : undefined,
      name: typeof claims?.name === 'string' ? claims.name : undefined,
    };
  }
}

/** The access token's own `exp` (the verifier checks that one); `expires_in` when it has none. */
function accessTokenExpiry(answer: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers): number {
  try {
    const { exp } = decodeJwt(answer.access_token);
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Not a JWT: the verifier will refuse it anyway.
  }
  return Date.now() + (answer.expiresIn() ?? 0) * 1000;
}

/**
 * Codes of openid-client's ClientError that say the provider did not answer usefully: a timeout, an
 * abort, an answer that is not an OAuth answer (a proxy's error page), and no code at all (what it
 * wraps as "something went wrong": a failed connection, an answer over the size bound). Any other
 * code means an answer arrived and failed a check.
 */
const NO_USEFUL_ANSWER = new Set<string | undefined>([undefined, 'OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON', 'OAUTH_PARSE_ERROR']);

/**
 * Refused only on the provider's word or a failed check: a refused refresh ends the session, so a
 * provider that is slow, unreachable or behind a failing proxy must never be read as one.
 */
function unavailableOrRefused(error: unknown, what: string): HostedLoginError {
  if (error instanceof HostedLoginError) return error;
  const tooLarge = error instanceof BodyTooLargeError || (error instanceof Error && error.cause instanceof BodyTooLargeError);
  if (tooLarge) return new HostedLoginError('unavailable', `${what} answered too much`, { cause: error });
  // The provider answered with an OAuth error (400 invalid_grant, 401 invalid_client...), or the
  // browser came back with one (access_denied), or the answer failed a check (state, nonce, ID token).
  if (error instanceof oidc.ResponseBodyError && error.status < 500) return new HostedLoginError('refused', `${what} refused: ${error.error}`, { cause: error });
  if (error instanceof oidc.AuthorizationResponseError) return new HostedLoginError('refused', `sign-in refused: ${error.error}`, { cause: error });
  if (error instanceof oidc.ClientError && !NO_USEFUL_ANSWER.has(error.code)) {
    return new HostedLoginError('refused', `${what}: ${error.message}`, { cause: error });
  }
  return new HostedLoginError('unavailable', `${what} did not answer usefully`, { cause: error });
}
