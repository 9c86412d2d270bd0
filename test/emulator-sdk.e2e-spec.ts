import { EmulatorControlClient, startEmulator, TENANT_ACME, USER_ALICE, type RunningEmulator } from '../src/emulator';
import SdkLogger from '@frontegg/client/dist/src/components/logger';
import { sdkFor, type Sdk } from './support/frontegg-sdk';

/**
 * The emulator driven by Frontegg's own Node SDK (@frontegg/client), as a service built on it would
 * drive the real API (issue 12 item 6).
 */
describe('the identity emulator with the official Node SDK', () => {
  let emulator: RunningEmulator;
  let control: EmulatorControlClient;
  let sdk: Sdk;
  let loaded: Awaited<ReturnType<typeof sdkFor>>;

  beforeAll(async () => {
    emulator = await startEmulator();
    control = new EmulatorControlClient(emulator.url);
    loaded = await sdkFor(emulator);
    sdk = loaded.sdk;
  });

  afterAll(async () => {
    await loaded.stop();
    await emulator.close();
  });

  const authenticated = async () => {
    const authenticator = new sdk.FronteggAuthenticator();
    loaded.track(authenticator);
    await authenticator.init(emulator.clientId, emulator.apiKey);
    return authenticator;
  };

  it('issues a vendor token to the SDK authenticator (POST /auth/vendor)', async () => {
    const authenticator = await authenticated();
    expect(authenticator.accessToken).toMatch(/^\S{20,}$/);
    expect(await control.requests({ method: 'POST', path: '/auth/vendor' })).not.toHaveLength(0);
  });

  it("validates a user token with the public key of GET /identity/resources/configurations/v1, as the SDK's IdentityClient does", async () => {
    const token = await control.mintToken({ userId: USER_ALICE });
    const entity = await sdk.IdentityClient.getInstance().validateIdentityOnToken(token, { permissions: ['fe.secure.read.roles'] });
    expect(entity).toMatchObject({ sub: USER_ALICE, tenantId: TENANT_ACME, type: 'userToken' });
    const configurationReads = await control.requests({ method: 'GET', path: '/identity/resources/configurations/v1' });
    expect(configurationReads).not.toHaveLength(0);
    // The SDK sends the vendor token as x-access-token, not as a Bearer.
    expect(configurationReads[0].headers).toHaveProperty('x-access-token');
  });

  it('refuses a token signed with another key, through the SDK', async () => {
    const token = await control.mintToken({ userId: USER_ALICE });
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    // The SDK logs each refusal at error level: expected here, so kept out of the test output.
    const sdkErrors = jest.spyOn(SdkLogger, 'error').mockImplementation(() => undefined);
    try {
      await expect(sdk.IdentityClient.getInstance().validateIdentityOnToken(forged)).rejects.toBeDefined();
      expect(sdkErrors.mock.calls.map(([message]) => message)).toContain('Failed to verify jwt - ');
    } finally {
      sdkErrors.mockRestore();
    }
  });

  it("answers the SDK's HttpClient management calls: a read, and the empty POST of MFA unenroll", async () => {
    const http = new sdk.HttpClient(await authenticated(), { baseURL: `${emulator.url}/identity` });
    const user = await http.get<{ id: string; mfaEnrolled: boolean }>(`/resources/vendor-only/users/v1/${USER_ALICE}`);
    expect(user.data).toMatchObject({ id: USER_ALICE, mfaEnrolled: true });

    // No body at all, as the official document describes this operation; axios still labels it.
    const unenroll = await http.post(`/resources/vendor-only/users/v1/${USER_ALICE}/mfa/unenroll`, undefined);
    expect(unenroll.status).toBe(200);
    const [sent] = await control.requests({ method: 'POST', path: `/identity/resources/vendor-only/users/v1/${USER_ALICE}/mfa/unenroll` });
    expect(sent.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect((await http.get<{ mfaEnrolled: boolean }>(`/resources/vendor-only/users/v1/${USER_ALICE}`)).data.mfaEnrolled).toBe(false);
  });

  it('still refuses a body that is not JSON with 415 where the official document requires JSON, and takes an empty one of any type', async () => {
    const { token } = (await (
      await fetch(`${emulator.url}/auth/vendor`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ clientId: emulator.clientId, secret: emulator.apiKey }),
      })
    ).json()) as { token: string };
    const send = (method: string, path: string, contentType: string, body?: string) =>
      fetch(`${emulator.url}/identity/resources${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': contentType }, body });
    expect((await send('PUT', `/users/v1/${USER_ALICE}`, 'application/x-www-form-urlencoded', 'name=Mallory')).status).toBe(415);
    expect((await send('PUT', `/users/v1/${USER_ALICE}`, 'application/xml', '<name>Mallory</name>')).status).toBe(415);
    expect((await send('POST', `/vendor-only/users/v1/${USER_ALICE}/mfa/unenroll`, 'text/plain', '')).status).toBe(200);
  });
});
