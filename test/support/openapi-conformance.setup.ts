/**
 * Jest setup (e2e project): fetch calls to a registered gateway (a built gateway process, or one
 * listening on a port) are checked against the document like supertest's. Other fetches (the
 * emulator, JWKS) pass untouched.
 */
import { checkAnswer, conformanceError, isGatewayUrl } from './openapi-conformance';

const realFetch = globalThis.fetch;

globalThis.fetch = async function conformingFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = input instanceof Request ? input.url : String(input);
  const response = await realFetch(input, init);
  if (!isGatewayUrl(url)) return response;
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const text = method.toUpperCase() === 'HEAD' ? '' : await response.clone().text();
  const verdict = checkAnswer({ method, url, status: response.status, headers: Object.fromEntries(response.headers), text });
  if (verdict.mismatches.length > 0) throw conformanceError(verdict);
  return response;
};
