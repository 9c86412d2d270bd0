import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id';

const requestWith = (value?: string) => ({ headers: value === undefined ? {} : { 'x-request-id': value } }) as IncomingMessage;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it("keeps the client's id when it is 1-128 safe characters", () => {
    expect(requestIdOf(requestWith('abc-123_X.y'))).toBe('abc-123_X.y');
    expect(requestIdOf(requestWith('a'.repeat(128)))).toBe('a'.repeat(128));
  });

  it.each(['', 'a'.repeat(129), 'has space', 'semi;colon', 'new\nline', 'é'])('replaces %j with a UUID', (value) => {
    expect(requestIdOf(requestWith(value))).toMatch(UUID);
  });

  it('gives every request without a usable id a new one', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => requestIdOf(requestWith())));
    expect(ids.size).toBe(1000);
  });
});
