import { HttpStatus } from '@nestjs/common';
import type { HttpAdapterHost } from '@nestjs/core';
import { Metrics } from '../metrics/metrics.service';
import { budgetFor } from './upstream-budget';
import { deadlineExceededProblem, UpstreamFailure } from './upstream-errors';
import { MAX_RETRIES, UpstreamPolicies } from './upstream-policies';

const timeout = () => new UpstreamFailure(HttpStatus.GATEWAY_TIMEOUT, 'identity API did not answer get user in time', true);
const serverError = () => new UpstreamFailure(HttpStatus.BAD_GATEWAY, 'identity API failed during get user', true);

/** An attempt that fails with the given errors in turn, then succeeds. */
function attempts(...failures: (() => Error)[]) {
  const call = jest.fn(async () => {
    const failure = failures[call.mock.calls.length - 1];
    if (failure) throw failure();
    return 'ok';
  });
  return call;
}

describe('UpstreamPolicies retries (CONTRACT §5)', () => {
  let policies: UpstreamPolicies;
  beforeEach(() => {
    policies = new UpstreamPolicies('test', new Metrics({} as HttpAdapterHost));
  });

  it(`retries a read after fast transient failures, up to ${MAX_RETRIES} times`, async () => {
    const call = attempts(serverError, serverError);
    expect(await policies.run(true, budgetFor(10_000), 'get user', call)).toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);

    const failing = attempts(serverError, serverError, serverError);
    await expect(policies.run(true, budgetFor(10_000), 'get user', failing)).rejects.toMatchObject({ status: 502 });
    expect(failing).toHaveBeenCalledTimes(3);
  });

  it('retries a timed-out read at most once', async () => {
    const call = attempts(timeout, timeout, timeout);
    await expect(policies.run(true, budgetFor(10_000), 'get user', call)).rejects.toMatchObject({ status: 504 });
    expect(call).toHaveBeenCalledTimes(2);

    const mixed = attempts(serverError, timeout, timeout);
    await expect(policies.run(true, budgetFor(10_000), 'get user', mixed)).rejects.toMatchObject({ status: 504 });
    expect(mixed).toHaveBeenCalledTimes(3);
  });

  it('never retries a write', async () => {
    const call = attempts(timeout);
    await expect(policies.run(false, budgetFor(10_000), 'update user', call)).rejects.toMatchObject({ status: 504 });
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('never starts an attempt past the deadline', async () => {
    const call = attempts();
    await expect(policies.run(true, budgetFor(0), 'get user', call)).rejects.toMatchObject({ status: 504 });
    expect(call).not.toHaveBeenCalled();

    // Less time left than the backoff before the retry: the failure is the answer.
    const late = attempts(serverError);
    await expect(policies.run(true, budgetFor(20), 'get user', late)).rejects.toMatchObject({ status: 502 });
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('does not retry a spent deadline, nor for a client that left', async () => {
    const spent = attempts(() => deadlineExceededProblem('get user'));
    await expect(policies.run(true, budgetFor(10_000), 'get user', spent)).rejects.toMatchObject({ status: 504 });
    expect(spent).toHaveBeenCalledTimes(1);

    const clientGone = new AbortController();
    const call = jest.fn(async () => {
      clientGone.abort();
      throw serverError();
    });
    await expect(policies.run(true, { deadlineAt: performance.now() + 10_000, signal: clientGone.signal }, 'get user', call)).rejects.toMatchObject({ status: 502 });
    expect(call).toHaveBeenCalledTimes(1);
  });
});
