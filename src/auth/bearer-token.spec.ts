import type { IncomingMessage } from 'node:http';
import { bearerTokenOf } from './bearer-token';

function requestWith(...headers: [string, string][]): IncomingMessage {
  const lowered: Record<string, string> = {};
  for (const [name, value] of headers) lowered[name.toLowerCase()] ??= value;
  return { rawHeaders: headers.flat(), headers: lowered } as unknown as IncomingMessage;
}

describe('bearerTokenOf', () => {
  it('reads a bearer token, scheme in any case', () => {
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer abc.def.ghi']))).toEqual({ kind: 'token', token: 'abc.def.ghi' });
    expect(bearerTokenOf(requestWith(['authorization', 'bEaReR abc.def.ghi']))).toEqual({ kind: 'token', token: 'abc.def.ghi' });
  });

  it('sees no token without the header, and another credential with another scheme or an empty header', () => {
    expect(bearerTokenOf(requestWith())).toEqual({ kind: 'none' });
    expect(bearerTokenOf(requestWith(['Cookie', 'token=abc.def.ghi']))).toEqual({ kind: 'none' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Basic dXNlcjpwYXNz']))).toEqual({ kind: 'other' });
    expect(bearerTokenOf(requestWith(['Authorization', '']))).toEqual({ kind: 'other' });
    expect(bearerTokenOf(requestWith(['Authorization', '   ']))).toEqual({ kind: 'other' });
  });

  it('refuses two Authorization headers, whatever their case', () => {
    const request = requestWith(['Authorization', 'Bearer a.b.c'], ['AUTHORIZATION', 'Bearer d.e.f']);
    expect(bearerTokenOf(request)).toEqual({ kind: 'invalid' });
  });

  it('refuses a bearer scheme without a token', () => {
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer']))).toEqual({ kind: 'invalid' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer    ']))).toEqual({ kind: 'invalid' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer\tabc']))).toEqual({ kind: 'invalid' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearerabc']))).toEqual({ kind: 'other' });
  });

  it("leaves the token's characters to the verifier (token-verifier.service.ts), blanks around it dropped", () => {
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer   a.b.c  ']))).toEqual({ kind: 'token', token: 'a.b.c' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer a b']))).toEqual({ kind: 'token', token: 'a b' });
    expect(bearerTokenOf(requestWith(['Authorization', 'Bearer a"b']))).toEqual({ kind: 'token', token: 'a"b' });
  });
});
