import type { Principal } from './principal';
import { authorize, requireRecentSignIn } from './auth.guard';

const principal: Principal = {
  userId: 'u1',
  tenantId: 't1',
  tenantIds: ['t1'],
  roles: [],
  permissions: ['fe.secure.read.*'],
  type: 'userApiToken',
  authTime: 1000,
};

describe('authorize', () => {
  it('passes a rule that the principal satisfies, and an empty rule', () => {
    expect(() => authorize(principal, { permission: 'fe.secure.read.roles', tokenTypes: ['userApiToken'] })).not.toThrow();
    expect(() => authorize(principal, {})).not.toThrow();
  });

  it('refuses the token type first, then names the missing permission', () => {
    expect(() => authorize(principal, { tokenTypes: ['userToken'], permission: 'x' })).toThrow('token type userApiToken is not allowed here');
    expect(() => authorize(principal, { permission: 'fe.secure.write.roles' })).toThrow('missing permission fe.secure.write.roles');
  });
});

describe('requireRecentSignIn', () => {
  it('accepts a sign-in within the maximum age', () => {
    expect(() => requireRecentSignIn(principal, 300, 1300)).not.toThrow();
  });

  it('answers an old or unknown sign-in with the RFC 9470 challenge', () => {
    for (const who of [principal, { ...principal, authTime: undefined }]) {
      try {
        requireRecentSignIn(who, 300, 1301);
        throw new Error('not refused');
      } catch (error) {
        expect(error).toMatchObject({
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="api", error="insufficient_user_authentication", max_age=300' },
        });
      }
    }
  });
});
