import { EntitlementsStore } from './entitlements';
import { FaultRegistry } from './faults';
import { SigningKeyRing } from './keys';
import { OAuthGrants } from './oauth-grants';
import type { ResolvedEmulatorOptions } from './options';
import { RequestRecorder } from './recorder';
import type { TokenClaimsMode } from './schemas/control.schemas';
import { IdentityStore } from './state';
import { UserTokenIssuer } from './tokens';
import { VendorTokenStore } from './vendor-tokens';

/** Everything the routes share: the identity data and the emulator's own machinery. */
export class EmulatorContext {
  readonly store = new IdentityStore();
  readonly entitlements = new EntitlementsStore();
  readonly faults = new FaultRegistry();
  readonly recorder = new RequestRecorder();
  /**
   * The hosted-login flow's codes and refresh tokens. Like issued vendor tokens, they survive a reset:
   * they belong to running clients (a gateway's sessions), not to the seed.
   */
  readonly oauthGrants = new OAuthGrants();
  readonly vendorTokens: VendorTokenStore;
  readonly userTokens: UserTokenIssuer;
  /** Known once the server listens; the `iss` of user tokens. */
  issuer = '';
  /** Which claims user tokens carry; changed by `PUT /_emulator/settings`. */
  tokenClaims: TokenClaimsMode;

  private constructor(
    readonly options: ResolvedEmulatorOptions,
    readonly keys: SigningKeyRing,
  ) {
    this.tokenClaims = options.tokenClaims;
    this.vendorTokens = new VendorTokenStore(options.vendorTokenTtlSeconds);
    this.userTokens = new UserTokenIssuer(
      this.store,
      keys,
      options.clientId,
      () => this.issuer,
      () => this.tokenClaims,
    );
  }

  static async create(options: ResolvedEmulatorOptions): Promise<EmulatorContext> {
    return new EmulatorContext(options, await SigningKeyRing.create());
  }

  /**
   * As freshly started: seed data (the entitlements snapshot too, at a new offset), no faults, no recorded requests, the default vendor-token
   * lifetime and token claims, the original key. Issued vendor tokens stay valid: they belong to running clients
   * (a gateway under test), not to the seed; `POST /_emulator/vendor-tokens/expire` revokes them.
   */
  reset(): void {
    this.store.reset();
    this.entitlements.reset();
    this.faults.clear();
    this.recorder.clear();
    this.vendorTokens.restoreDefaultLifetime();
    this.tokenClaims = this.options.tokenClaims;
    this.keys.reset();
  }
}
