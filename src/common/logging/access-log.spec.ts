import { loggedUrl } from './access-log';

describe('loggedUrl', () => {
  it('keeps the path and drops the query string, where a token may hide', () => {
    expect(loggedUrl('/v1/roles')).toBe('/v1/roles');
    expect(loggedUrl('/v1/roles?access_token=eyJ.x.y')).toBe('/v1/roles?[redacted]');
    expect(loggedUrl('/v1/me#frag')).toBe('/v1/me?[redacted]');
    expect(loggedUrl(undefined)).toBe('');
  });

  it('shortens attack-sized paths', () => {
    expect(loggedUrl(`/v1/${'a'.repeat(10_000)}`)).toHaveLength(515);
  });
});
