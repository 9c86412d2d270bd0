import { DEFAULT_EMULATOR_OPTIONS, publicUrl, resolveOptions } from './options';

describe('resolveOptions', () => {
  it('fills every option left out or undefined', () => {
    expect(resolveOptions()).toEqual(DEFAULT_EMULATOR_OPTIONS);
    expect(resolveOptions({ port: undefined, clientId: 'mine' })).toEqual({ ...DEFAULT_EMULATOR_OPTIONS, clientId: 'mine' });
  });
});

describe('publicUrl', () => {
  it('uses the listen host, or loopback for a wildcard address', () => {
    expect(publicUrl('127.0.0.1', 3001)).toBe('http://127.0.0.1:3001');
    expect(publicUrl('localhost', 3001)).toBe('http://localhost:3001');
    expect(publicUrl('0.0.0.0', 3001)).toBe('http://127.0.0.1:3001');
    expect(publicUrl('::', 3001)).toBe('http://[::1]:3001');
    expect(publicUrl('::1', 3001)).toBe('http://[::1]:3001');
  });
});
