import { VendorTokenStore } from './vendor-tokens';

describe('VendorTokenStore', () => {
  let now: number;
  let tokens: VendorTokenStore;
  beforeEach(() => {
    now = 1_000_000;
    tokens = new VendorTokenStore(60, () => now);
  });

  it('issues distinct tokens valid for their lifetime', () => {
    const first = tokens.issue();
    expect(first.expiresIn).toBe(60);
    expect(tokens.issue().token).not.toBe(first.token);
    now += 59_999;
    expect(tokens.isValid(first.token)).toBe(true);
    now += 1;
    expect(tokens.isValid(first.token)).toBe(false);
  });

  it('refuses tokens it never issued', () => {
    expect(tokens.isValid('made-up')).toBe(false);
  });

  it('applies a new lifetime to tokens issued afterwards only', () => {
    const before = tokens.issue();
    tokens.setTtlSeconds(1);
    const after = tokens.issue();
    expect(after.expiresIn).toBe(1);
    now += 1_000;
    expect(tokens.isValid(after.token)).toBe(false);
    expect(tokens.isValid(before.token)).toBe(true);
  });

  it('expireAll revokes every token at once', () => {
    const issued = [tokens.issue(), tokens.issue()];
    tokens.expireAll();
    expect(issued.map(({ token }) => tokens.isValid(token))).toEqual([false, false]);
  });

  it('restores the default lifetime for new tokens and keeps issued ones valid', () => {
    const issued = tokens.issue();
    tokens.setTtlSeconds(5);
    tokens.restoreDefaultLifetime();
    expect(tokens.isValid(issued.token)).toBe(true);
    expect(tokens.issue().expiresIn).toBe(60);
  });
});
