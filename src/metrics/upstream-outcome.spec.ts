import { upstreamOutcomeOf } from './metrics.service';

describe('upstreamOutcomeOf (metrics labels never carry what the upstream answered)', () => {
  it('puts found and not found in one outcome: a user of another tenant (200) and a missing one (404) move the same series', () => {
    expect(upstreamOutcomeOf(404)).toBe(upstreamOutcomeOf(200));
    expect([200, 201, 204, 400, 403, 404, 409].map(upstreamOutcomeOf)).toEqual(Array(7).fill('answered'));
  });

  it('keeps what operators act on: throttling, a refused vendor token, failures, no answer', () => {
    expect([429, 401, 500, 502, 0].map(upstreamOutcomeOf)).toEqual(['throttled', 'unauthorized', 'failed', 'failed', 'no_answer']);
  });
});
