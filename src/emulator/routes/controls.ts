import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context';
import { badRequest } from '../errors';
import {
  CONTROL_PREFIX,
  entitlementsDataSchema,
  faultSpecSchema,
  grantPlanRequestSchema,
  mintTokenRequestSchema,
  revokeOAuthRequestSchema,
  rotateKeyRequestSchema,
  settingsRequestSchema,
  type EmulatorSettings,
  type EntitlementsChanged,
  type FaultCreated,
  type FaultSpec,
  type GrantPlanRequest,
  type MintedToken,
  type MintTokenRequest,
  type RevokeOAuthRequest,
  type RevokeOAuthResult,
  type RotateKeyRequest,
  type RotateKeyResult,
} from '../schemas/control.schemas';
import type { VendorEntitlementsData, VendorEntitlementsResponse } from '../../identity/frontegg-api.types';
import { USER_ALICE } from '../seed';
import { nowInSeconds } from '../tokens';

/** A handler that acts, then answers 204. */
function answerNoContent<Body>(act: (request: FastifyRequest<{ Body: Body }>) => void) {
  return async (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply) => {
    act(request);
    return reply.code(204).send();
  };
}

/**
 * The emulator's test controls. They exist only here (Frontegg has nothing like them),
 * need no vendor token, and are never recorded nor faulted.
 */
export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.register(
    async (controls) => {
      // Bodies are optional objects, so `curl -X POST .../_emulator/reset` works as is.
      controls.addHook('preValidation', async (request) => {
        request.body ??= {};
      });

      controls.post('/reset', answerNoContent(() => ctx.reset()));

      controls.post<{ Body: FaultSpec }>('/faults', { schema: { body: faultSpecSchema } }, async (request, reply) => {
        const created: FaultCreated = { id: ctx.faults.add(request.body) };
        return reply.code(201).send(created);
      });

      controls.delete('/faults', answerNoContent(() => ctx.faults.clear()));

      controls.post<{ Body: RotateKeyRequest }>(
        '/keys/rotate',
        { schema: { body: rotateKeyRequestSchema } },
        async (request): Promise<RotateKeyResult> => ctx.keys.rotate(request.body.retirePrevious ?? false),
      );

      controls.get('/requests', async () => ctx.recorder.list());

      controls.delete('/requests', answerNoContent(() => ctx.recorder.clear()));

      controls.post<{ Body: MintTokenRequest }>(
        '/tokens',
        { schema: { body: mintTokenRequestSchema } },
        async (request): Promise<MintedToken> => {
          const { userId = USER_ALICE, expiresInSeconds, authTimeSecondsAgo = 0, ...rest } = request.body;
          const user = ctx.store.findUser(userId);
          if (!user) throw badRequest(`Unknown user ${userId}`);
          return ctx.userTokens.issue({
            ...rest,
            user,
            ttlSeconds: expiresInSeconds ?? ctx.options.userTokenTtlSeconds,
            authTime: nowInSeconds() - authTimeSecondsAgo,
          });
        },
      );

      // A session ended on Frontegg's side: the hosted-login refresh tokens are refused from now on.
      controls.post<{ Body: RevokeOAuthRequest }>(
        '/oauth/revoke',
        { schema: { body: revokeOAuthRequestSchema } },
        async (request): Promise<RevokeOAuthResult> => ({ revoked: ctx.oauthGrants.revokeUser(request.body.userId) }),
      );

      // The entitlements snapshot: read it, replace it, or grant a plan; each change moves the offset.
      controls.get('/entitlements', async (): Promise<VendorEntitlementsResponse> => ctx.entitlements.snapshot());
      controls.put<{ Body: VendorEntitlementsData }>(
        '/entitlements',
        { schema: { body: entitlementsDataSchema } },
        async (request): Promise<EntitlementsChanged> => ({ snapshotOffset: ctx.entitlements.replace(request.body) }),
      );
      controls.post<{ Body: GrantPlanRequest }>(
        '/entitlements/grants',
        { schema: { body: grantPlanRequestSchema } },
        async ({ body: { planId, tenantId, userId, expiresAt } }): Promise<EntitlementsChanged> => ({
          snapshotOffset: ctx.entitlements.grant([planId, tenantId, userId ?? null, expiresAt ?? null]),
        }),
      );

      controls.post('/vendor-tokens/expire', answerNoContent(() => ctx.vendorTokens.expireAll()));

      controls.put<{ Body: EmulatorSettings }>(
        '/settings',
        { schema: { body: settingsRequestSchema } },
        answerNoContent(({ body: { vendorTokenTtlSeconds, tokenClaims } }) => {
          if (vendorTokenTtlSeconds !== undefined) ctx.vendorTokens.setTtlSeconds(vendorTokenTtlSeconds);
          if (tokenClaims !== undefined) ctx.tokenClaims = tokenClaims;
        }),
      );
    },
    { prefix: CONTROL_PREFIX },
  );
}
