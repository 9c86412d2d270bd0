import { clientGoneSignal, timeLeftMs, type RequestTrace } from '../common/http/request-trace';
import { clientGoneProblem, deadlineExceededProblem } from './upstream-errors';

/**
 * What one piece of upstream work may spend: until `deadlineAt` (`performance.now()` time), and
 * no longer than its client stays (`signal`, absent for work shared by many callers).
 */
export interface UpstreamBudget {
  readonly deadlineAt: number;
  readonly signal?: AbortSignal;
}

/** The request's budget (CONTRACT §5): REQUEST_DEADLINE_MS for all its upstream work, cancelled when its client leaves. */
export function budgetOf(trace: RequestTrace): UpstreamBudget {
  return { deadlineAt: trace.deadlineAt, signal: clientGoneSignal(trace) };
}

/** A budget of its own, for work no single request owns (a shared renewal, a readiness probe). */
export function budgetFor(ms: number): UpstreamBudget {
  return { deadlineAt: performance.now() + ms };
}

/** Throws the budget's problem when it is spent or its client is gone: before starting any upstream work. */
export function assertWithinBudget(budget: UpstreamBudget, operation: string): void {
  if (budget.signal?.aborted) throw clientGoneProblem(operation);
  if (timeLeftMs(budget) <= 0) throw deadlineExceededProblem(operation);
}

/**
 * `work` as this caller sees it: abandoned (not cancelled: others may share it) when the caller's
 * deadline passes or its client goes away. A timer exists only while such a wait lasts.
 */
export async function waitWithin<T>(work: Promise<T>, budget: UpstreamBudget, operation: string): Promise<T> {
  assertWithinBudget(budget, operation);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const givenUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(deadlineExceededProblem(operation)), timeLeftMs(budget));
    onAbort = () => reject(clientGoneProblem(operation));
    budget.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, givenUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) budget.signal?.removeEventListener('abort', onAbort);
  }
}
