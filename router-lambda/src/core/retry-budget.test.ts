import { InvalidOptionError } from './errors';
import { createRetryBudget, recordRequest, resolveRetryBudget, retryBudgetView, tryRetry, type RetryBudgetState } from './retry-budget';

const options = resolveRetryBudget({ fraction: 0.2 });

function retries(state: RetryBudgetState, count: number, now: number): { allowed: number; state: RetryBudgetState } {
  let allowed = 0;
  for (let i = 0; i < count; i++) {
    const r = tryRetry(state, options, now);
    state = r.state;
    if (r.allowed) allowed++;
  }
  return { allowed, state };
}

describe('retry budget', () => {
  it('lets a quiet target retry up to the minimum', () => {
    const r = retries(createRetryBudget({ fraction: 0.2 }), 5, 0);
    expect(r.allowed).toBe(3);
    expect(r.state.denials).toBe(2);
  });

  it('caps retries at the fraction of requests in the window', () => {
    let s = createRetryBudget({ fraction: 0.2 });
    for (let i = 0; i < 100; i++) s = recordRequest(s, i * 10);
    const r = retries(s, 30, 1_000);
    expect(r.allowed).toBe(20);
    expect(retryBudgetView(r.state, options, 1_000)).toEqual({ requests: 100, retries: 20, allowance: 20, denials: 10 });
  });

  it('slides: old requests and retries leave the window', () => {
    let s = createRetryBudget({ fraction: 0.2 });
    for (let i = 0; i < 100; i++) s = recordRequest(s, 0);
    s = retries(s, 20, 0).state;
    expect(tryRetry(s, options, 5_000).allowed).toBe(false);
    expect(retryBudgetView(s, options, 11_000)).toMatchObject({ requests: 0, retries: 0, allowance: 3 });
    expect(tryRetry(s, options, 11_000).allowed).toBe(true);
  });

  it('is plain data that survives JSON', () => {
    const s = recordRequest(createRetryBudget({ fraction: 0.2 }), 5);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('rejects a fraction outside [0, 1] with the value', () => {
    expect(() => resolveRetryBudget({ fraction: 1.5 })).toThrow(InvalidOptionError);
    expect(() => resolveRetryBudget({ fraction: 0.2, minRetries: -1 })).toThrow('minRetries = -1');
  });
});
