/**
 * A JWT as it travels: base64url JSON header and payload ("eyJ" is `{"`), joined by a dot, starting
 * where a token can start. Random ciphertext spells "eyJ" by chance (once in 64³ = 262,144 positions);
 * it does not spell this shape (JWE segments end at dots, so two would have to begin with "eyJ").
 */
export const JWT_IN_CLEAR = /(?<![\w-])eyJ[\w-]+\.eyJ[\w-]+/;

export function holdsJwtInClear(text: string): boolean {
  return JWT_IN_CLEAR.test(text);
}
