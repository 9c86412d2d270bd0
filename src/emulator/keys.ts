import { calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';

export const SIGNING_ALGORITHM = 'RS256';

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  /** Public JWK as published: with `kid`, `alg` and `use`. */
  publicJwk: JWK;
  /** SPKI PEM of the public key, as the configurations route answers it. */
  publicPem: string;
}

export interface RotationResult {
  kid: string;
  previousKid: string;
}

/** A fresh RS256 key pair; its kid is the RFC 7638 thumbprint, so it is unique without a counter. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return {
    kid,
    privateKey,
    publicJwk: { ...jwk, kid, alg: SIGNING_ALGORITHM, use: 'sig' },
    publicPem: await exportSPKI(publicKey),
  };
}

/**
 * The signing keys: the current one signs user tokens; the published ones form the JWKS.
 * The original key is kept so a reset brings back the very key the process started with,
 * and tokens minted before any rotation verify again after a reset.
 */
export class SigningKeyRing {
  private current: SigningKey;
  private published: SigningKey[];
  private foreign?: Promise<SigningKey>;

  private constructor(private readonly original: SigningKey) {
    this.current = original;
    this.published = [original];
  }

  static async create(): Promise<SigningKeyRing> {
    return new SigningKeyRing(await createSigningKey());
  }

  get currentKey(): SigningKey {
    return this.current;
  }

  /** A key that is never published: its signatures must fail verification. Made on first use. */
  foreignKey(): Promise<SigningKey> {
    this.foreign ??= createSigningKey();
    return this.foreign;
  }

  jwks(): { keys: JWK[] } {
    return { keys: this.published.map((key) => key.publicJwk) };
  }

  /** The new key becomes current and published; the previous one stays published unless retired. */
  async rotate(retirePrevious: boolean): Promise<RotationResult> {
    const previous = this.current;
    const next = await createSigningKey();
    const kept = retirePrevious ? this.published.filter((key) => key !== previous) : this.published;
    this.published = [next, ...kept];
    this.current = next;
    return { kid: next.kid, previousKid: previous.kid };
  }

  reset(): void {
    this.current = this.original;
    this.published = [this.original];
  }
}
