import { USER_ALICE } from '../../src/emulator';
import { startTestGateway, type TestGateway } from '../support/gateway';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';

describe('GET /metrics (CONTRACT §4.1, issue 5)', () => {
  let gateway: TestGateway;

  beforeAll(async () => {
    gateway = await startTestGateway({ METRICS_TOKEN, RATE_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(() => gateway.close());

  const scrape = () => gateway.http().get('/metrics').set('authorization', `Bearer ${METRICS_TOKEN}`);

  it('needs METRICS_TOKEN when it is set', async () => {
    const refused = await gateway.http().get('/metrics');
    expect(refused.status).toBe(401);
    expect((await gateway.http().get('/metrics').set('authorization', 'Bearer wrong')).status).toBe(401);
    const answered = await scrape();
    expect(answered.status).toBe(200);
    expect(answered.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts requests by route and status, upstream calls by operation, renewals, cache lookups, breakers and limits', async () => {
    const token = await gateway.token({ userId: USER_ALICE });
    for (let i = 0; i < 4; i++) await gateway.http().get('/v1/roles').set('authorization', `Bearer ${token}`);
    const text = (await scrape()).text;

    expect(text).toMatch(/gateway_http_request_duration_seconds_count\{method="GET",route="\/v1\/roles",status="200"\} 3/);
    expect(text).toMatch(/gateway_http_request_duration_seconds_count\{method="GET",route="\/v1\/roles",status="429"\} 1/);
    expect(text).toMatch(/gateway_upstream_request_duration_seconds_count\{operation="list roles",outcome="answered"\} 1/);
    expect(text).toMatch(/gateway_vendor_token_renewals_total\{outcome="renewed"\} 1/);
    expect(text).toMatch(/gateway_cache_lookups_total\{cache="roles",result="miss"\} 1/);
    expect(text).toMatch(/gateway_cache_lookups_total\{cache="roles",result="hit"\} 2/);
    expect(text).toMatch(/gateway_circuit_breaker_state\{upstream="identity-api"\} 0/);
    expect(text).toMatch(/gateway_rate_limited_requests_total\{caller="user"\} 1/);
    expect(text).toMatch(/gateway_process_resident_memory_bytes \d+/);
  });

  it('never shows a token or a secret', async () => {
    const text = (await scrape()).text;
    expect(text).not.toContain(METRICS_TOKEN);
    expect(text).not.toContain(gateway.emulator.apiKey);
  });
});
