import { EmulatorControlClient, startEmulator, USER_ALICE, type RunningEmulator } from '../../src/emulator';
import { startTestGateway } from '../support/gateway';
import { Lifecycle } from '../../src/health/lifecycle.service';
import { startGatewayProcess } from './support';

jest.setTimeout(30_000); // real processes: start-up, drains and reconnects take seconds

describe('graceful shutdown (issue 5)', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());

  it('finishes every accepted request when SIGTERM arrives during a burst, then exits 0', async () => {
    const upstream = new EmulatorControlClient(emulator.url);
    const gateway = await startGatewayProcess(emulator);
    const token = await upstream.mintToken({ userId: USER_ALICE });
    const userPath = `/identity/resources/vendor-only/users/v1/${USER_ALICE}`;
    await upstream.injectFault({ method: 'GET', path: userPath, latencyMs: 1500 });

    const burst = Array.from({ length: 40 }, () =>
      fetch(`${gateway.url}/v1/me`, { headers: { authorization: `Bearer ${token}` } }).then(
        (response) => response.status,
        (error: Error) => `lost: ${error.message}`,
      ),
    );
    // Every request accepted and forwarded: all 40 are in flight, waiting on the slow upstream.
    while ((await upstream.requests({ path: userPath })).length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
    gateway.child.kill('SIGTERM');

    expect(await Promise.all(burst)).toEqual(Array(40).fill(200));
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('shutting down: finishing requests in flight');
    expect(gateway.output()).toContain('"msg":"shut down"');
  });

  it('turns readiness to 503 as soon as shutdown begins', async () => {
    const gateway = await startTestGateway();
    try {
      expect((await gateway.http().get('/health/ready')).status).toBe(200);
      gateway.app.get(Lifecycle).beginShutdown();
      const response = await gateway.http().get('/health/ready');
      expect(response.status).toBe(503);
      expect(response.body.checks.lifecycle).toEqual({ status: 'down', reason: 'shutting down' });
    } finally {
      await gateway.close();
    }
  });
});
