/**
 * Scenario E, the common alternative: a small Express app written the way Frontegg's Node SDK
 * documents it. `withAuthentication` verifies the token (the SDK fetches the public key once from
 * `GET /identity/resources/configurations/v1` with a vendor token, then verifies with
 * jsonwebtoken), and every request reads the tenant's roles from the upstream with axios and the
 * SDK's vendor token, filtered and shaped like the gateway's answer.
 *
 * Environment, as the SDK reads it: FRONTEGG_API_GATEWAY_URL (the SDK's API base setting),
 * FRONTEGG_CLIENT_ID, FRONTEGG_API_KEY.
 */
import { FronteggAuthenticator, FronteggContext, withAuthentication } from '@frontegg/client';
import axios from 'axios';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createServer } from 'node:http';
import type { FronteggRole } from '../../src/identity/frontegg-api.types';
import { READ_ROLES } from '../fixtures';
import { listenForParent, requiredEnv } from './child';

const apiUrl = requiredEnv('FRONTEGG_API_GATEWAY_URL').replace(/\/+$/, '');
const clientId = requiredEnv('FRONTEGG_CLIENT_ID');
const apiKey = requiredEnv('FRONTEGG_API_KEY');

FronteggContext.init({ FRONTEGG_CLIENT_ID: clientId, FRONTEGG_API_KEY: apiKey });
const authenticator = new FronteggAuthenticator();

interface AuthenticatedRequest extends Request {
  frontegg?: { user: { tenantId: string } };
}

async function listRoles(req: AuthenticatedRequest, res: Response, next: NextFunction): Promise<void> {
  try {
    const tenantId = req.frontegg!.user.tenantId;
    await authenticator.validateAuthentication();
    const { data } = await axios.get<FronteggRole[]>(`${apiUrl}/identity/resources/roles/v1`, {
      headers: { 'x-access-token': authenticator.accessToken, 'frontegg-tenant-id': tenantId },
    });
    res.json(
      data
        .filter((role) => !role.tenantId || role.tenantId === tenantId)
        .map(({ id, key, name, description, isDefault, level, permissions, tenantId: owner }) => ({ id, key, name, description, isDefault, level, permissions, environmentWide: !owner })),
    );
  } catch (error) {
    next(error);
  }
}

async function main(): Promise<void> {
  await authenticator.init(clientId, apiKey);
  const app = express();
  app.disable('x-powered-by');
  app.get('/v1/roles', withAuthentication({ permissions: [READ_ROLES] }), (req, res, next) => void listRoles(req, res, next));
  listenForParent(createServer(app));
}

void main();
