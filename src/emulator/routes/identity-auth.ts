import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { FronteggAuthenticationResponse, FronteggPasswordLoginRequest } from '../../identity/frontegg-api.types';
import type { EmulatorContext } from '../context';
import { badRequest, FronteggError } from '../errors';
import type { UserRecord } from '../model';
import { fronteggRequestSchemas } from '../schemas/frontegg.schemas';
import { signInRefusal } from '../users';

export interface PasswordSignIn {
  user: UserRecord;
  token: string;
  claims: Record<string, unknown>;
  ttlSeconds: number;
}

/**
 * A seeded user's email and password sign-in, in the user's default tenant: what
 * `POST /identity/resources/auth/v1/user` does, shared with the docs page's password flow
 * (routes/docs-sign-in.ts) so both give the same token. A refusal is a 401 FronteggError.
 */
export async function signInWithPassword(ctx: EmulatorContext, email: string | undefined, password: string): Promise<PasswordSignIn> {
  // No seeded user has a username, so a username sign-in always fails like a wrong password.
  const user = email === undefined ? undefined : ctx.store.findUserByEmail(email);
  if (!user || user.password !== password) throw new FronteggError(401, ['Incorrect email or password']);
  const signedInAt = new Date();
  const refusal = signInRefusal(user, user.defaultTenantId, signedInAt);
  if (refusal) throw new FronteggError(401, [refusal]);

  const ttlSeconds = ctx.options.userTokenTtlSeconds;
  const { token, claims } = await ctx.userTokens.issue({
    user,
    ttlSeconds,
    authTime: Math.floor(signedInAt.getTime() / 1000),
  });
  user.lastLogin = signedInAt.toISOString();
  return { user, token, claims, ttlSeconds };
}

/**
 * Email and password sign-in. Public, like Frontegg's: no vendor token. The optional
 * `frontegg-vendor-host` header is accepted and ignored: the emulator is one environment.
 * The sign-in lands in the user's default tenant. The document says a locked user "cannot sign
 * in" and a disabled one "cannot log in to the account" but names no error: the emulator answers
 * 401 with a message (also for an expired temporary membership), and only after the password
 * check, so the refusal tells nothing to someone without the password.
 */
export function registerLoginRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post<{ Body: FronteggPasswordLoginRequest }>(
    '/identity/resources/auth/v1/user',
    { schema: { body: fronteggRequestSchemas.passwordLogin } },
    async (request): Promise<FronteggAuthenticationResponse> => {
      const { email, username, password } = request.body;
      if (email === undefined && username === undefined) throw badRequest('Either email or username must be provided');
      const { user, token, claims, ttlSeconds } = await signInWithPassword(ctx, email, password);
      return {
        tokenType: 'bearer',
        mfaRequired: false,
        accessToken: token,
        refreshToken: randomBytes(32).toString('base64url'),
        expiresIn: ttlSeconds,
        expires: new Date(Number(claims.exp) * 1000).toISOString(),
        userId: user.id,
        userEmail: user.email,
        emailVerified: user.verified,
      };
    },
  );
}
