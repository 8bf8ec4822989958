import { InvalidOptionError } from './errors';
import { resolveRetryBudget, retryAllowance, retryAllowed, retryBudgetView } from './retry-budget';

const options = resolveRetryBudget({ fraction: 0.2 });

describe('retry budget (Envoy: concurrent retries as a share of active requests)', () => {
  it('always allows min_retry_concurrency active retries', () => {
    expect(retryAllowance(options, 1)).toBe(3);
    expect(retryAllowed(options, { activeRequests: 1, activeRetries: 0 })).toBe(true);
    expect(retryAllowed(options, { activeRequests: 3, activeRetries: 2 })).toBe(true);
    expect(retryAllowed(options, { activeRequests: 3, activeRetries: 3 })).toBe(false);
  });

  it('grows with the active requests: 20% of 100 is 20 active retries', () => {
    expect(retryAllowance(options, 100)).toBe(20);
    expect(retryAllowed(options, { activeRequests: 100, activeRetries: 19 })).toBe(true);
    expect(retryAllowed(options, { activeRequests: 100, activeRetries: 20 })).toBe(false);
  });

  it('is viewed as plain data', () => {
    const view = retryBudgetView(options, { activeRequests: 50, activeRetries: 4 }, 2);
    expect(view).toEqual({ activeRequests: 50, activeRetries: 4, allowance: 10, denials: 2 });
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
  });

  it('rejects options out of range with the value', () => {
    expect(() => resolveRetryBudget({ fraction: 1.5 })).toThrow(InvalidOptionError);
    expect(() => resolveRetryBudget({ fraction: 0.2, minRetryConcurrency: -1 })).toThrow('minRetryConcurrency = -1');
  });
});
