import { ProblemException } from '../common/problems/problem.exception';
import { checkedReturnTo } from './return-to';

const PUBLIC_URL = 'https://gateway.example.com';

function refusal(value: unknown): ProblemException | undefined {
  try {
    checkedReturnTo(value, PUBLIC_URL);
    return undefined;
  } catch (error) {
    return error as ProblemException;
  }
}

describe('checkedReturnTo (no open redirect after sign-in)', () => {
  it('answers / when nothing is asked', () => {
    expect(checkedReturnTo(undefined, PUBLIC_URL)).toBe('/');
    expect(checkedReturnTo('', PUBLIC_URL)).toBe('/');
  });

  it.each(['/a/./b', '/a/b/..', '/..', '/a//b', '/%2e%2e/a', '/a b'])('keeps %j: dot segments that still leave one leading /', (value) => {
    expect(checkedReturnTo(value, PUBLIC_URL)).toBe(value);
  });

  it.each(['/', '/settings', '/settings/profile?tab=security&x=1#top', '/a/b/../c', '/search?q=a%20b', '/@user', '/users/100%25', '/%E2%9C%93', '/login-done?next=%2Fdashboard%2Fx'])(
    'keeps the path %j on this site as given',
    (value) => {
      expect(checkedReturnTo(value, PUBLIC_URL)).toBe(value);
    },
  );

  it.each([
    ['absolute https', 'https://evil.example/'],
    ['absolute http', 'http://evil.example'],
    ['the own origin, absolute', 'https://gateway.example.com/settings'],
    ['scheme-relative', '//evil.example'],
    ['three slashes', '///evil.example'],
    ['slash backslash', '/\\evil.example'],
    ['backslashes', '\\\\evil.example'],
    ['backslash later in the path', '/a\\b'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['relative without a slash', 'evil.example'],
    ['leading space', ' /settings'],
    ['tab between the slashes (browsers drop it)', '/\t/evil.example'],
    ['newline between the slashes (browsers drop it)', '/\n/evil.example'],
    ['carriage return and header', '/ok\r\nSet-Cookie: x=1'],
    ['NUL', '/ok\u0000'],
    ['DEL', '/ok\u007f'],
    ['encoded slashes after the first', '/%2F%2Fevil.example'],
    ['encoded slash, lower case', '/%2f/evil.example'],
    ['encoded backslash', '/%5Cevil.example'],
    ['encoded tab between slashes', '/%09/evil.example'],
    ['double-encoded slash', '/%252F%252Fevil.example'],
    ['fully encoded //', '%2F%2Fevil.example'],
    ['malformed percent-encoding', '/%E0%A4%A'],
    ['a dot segment before // (issue 20)', '/.//evil.example'],
    ['a double-dot segment before //', '/..//evil.example'],
    ['encoded double dots before //', '/%2e%2e//evil.example'],
    ['encoded dots, upper case', '/%2E%2E//evil.example'],
    ['a segment and its double dot before //', '/a/..//evil.example'],
    ['double-encoded dot before //', '/%252e//evil.example'],
    ['a letter outside ASCII (issue 20)', '/café'],
    ['U+2028', '/a\u2028b'],
    ['a no-break space', '/a\u00a0b'],
  ])('refuses %s (%j) with 400', (_label, value) => {
    const error = refusal(value);
    expect(error).toBeInstanceOf(ProblemException);
    expect(error!.getStatus()).toBe(400);
  });

  it('refuses a value longer than 2048 characters, and keeps one of exactly 2048', () => {
    const exactly = `/${'a'.repeat(2047)}`;
    expect(checkedReturnTo(exactly, PUBLIC_URL)).toBe(exactly);
    expect(refusal(`${exactly}a`)?.getStatus()).toBe(400);
  });

  it('refuses a returnTo given twice (an array) or of another type', () => {
    expect(refusal(['/a', '/b'])?.getStatus()).toBe(400);
    expect(refusal({ path: '/a' })?.getStatus()).toBe(400);
  });
});
