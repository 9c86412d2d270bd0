/**
 * Family 12 — observable side channels (CONTRACT §3, §6; issue 20, finding 2): whether an object
 * exists in another tenant is never revealed, by the answer or by anything else the gateway
 * exposes. For every route that takes an id, an object of another tenant and a missing one must
 * give the same answer (status, body, headers) and move the same `/metrics` series with the same
 * labels. Timings (histogram buckets and sums, process metrics) are not compared: they are not
 * labels and differ from one run to the next anyway.
 */
import { USER_ALICE } from '../../src/emulator';
import { liveRoutes, routeName, send, type RouteSpec } from './support/routes';
import { startSecurityGateway, type SecurityGateway } from './support/security-gateway';

/** Headers that differ between any two answers, whatever they answer. */
const PER_ANSWER_HEADERS = new Set(['x-request-id', 'date', 'ratelimit-remaining', 'ratelimit-reset', 'connection', 'keep-alive']);

/** `/metrics` series (name and labels) with their values; timings and process figures left out. */
async function series(g: SecurityGateway): Promise<Map<string, string>> {
  const text = (await g.http().get('/metrics').expect(200)).text;
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    const name = line.slice(0, cut);
    if (/^gateway_(process|nodejs)_|_bucket\{|_sum(\{|$)/.test(name)) continue;
    values.set(name, line.slice(cut + 1));
  }
  return values;
}

/** The series a request moved (or created), by name and labels: what a scraper of /metrics sees change. */
function moved(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...after].filter(([name, value]) => before.get(name) !== value).map(([name]) => name).sort();
}

describe('observable side channels (issue 20)', () => {
  let g: SecurityGateway;
  let routes: RouteSpec[];

  beforeAll(async () => {
    // No METRICS_TOKEN: /metrics is public, the strongest position for an observer.
    g = await startSecurityGateway({ STEP_UP_MAX_AGE_S: '300' });
    routes = (await liveRoutes(g)).filter((route) => route.param);
  });
  afterAll(() => g.close());
  beforeEach(() => g.reset());

  /** One request's answer (without what differs per answer) and the series it moved. */
  async function observe(route: RouteSpec, authorization: string, id: string) {
    const before = await series(g);
    const answer = await send(g, route, { authorization, id });
    const after = await series(g);
    const { requestId: _requestId, ...body } = answer.body as Record<string, unknown>;
    const headers = Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !PER_ANSWER_HEADERS.has(name)));
    return { status: answer.status, body, headers, series: moved(before, after) };
  }

  it('the table has routes with ids to compare', () => {
    expect(routes.map(routeName)).toEqual(expect.arrayContaining(['GET /v1/users/{userId}', 'PATCH /v1/roles/{roleId}']));
  });

  it('for every route with an id, an object of another tenant and a missing one give the same answer and move the same /metrics series (finding 2)', async () => {
    const authorization = `Bearer ${await g.token({ userId: USER_ALICE, authTimeSecondsAgo: 5 })}`;
    const differences: string[] = [];
    for (const route of routes) {
      // Caches (grants, catalogue, vendor token) warmed first, so that both requests find them alike.
      await send(g, route, { authorization, id: 'warm-up-missing-id' });
      const foreign = await observe(route, authorization, route.param!.foreign);
      const missing = await observe(route, authorization, 'no-such-object-anywhere');
      expect(foreign.status).toBe(404);
      if (JSON.stringify(foreign) !== JSON.stringify(missing)) {
        differences.push(`${routeName(route)}:\n  another tenant's: ${JSON.stringify(foreign)}\n  missing:          ${JSON.stringify(missing)}`);
      }
    }
    expect(differences).toEqual([]);
  });
});
