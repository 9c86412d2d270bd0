/**
 * Scenario A, the ceiling for reads: bare `node:http` answering `GET /v1/roles` with the very
 * JSON the gateway answers a caller of the first tenant. No authentication, no logging: the
 * least any server can do for this answer on this machine.
 */
import { createServer } from 'node:http';
import { TENANTS, expectedRolesAnswer } from '../fixtures';
import { listenForParent } from './child';

const body = Buffer.from(JSON.stringify(expectedRolesAnswer(TENANTS[0])));

listenForParent(
  createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/roles') {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  }),
);
