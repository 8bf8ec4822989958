import { compileRouterConfig, definePlan, METRICS, testing } from '@headroom/plan';
import { RouterTelemetry } from './telemetry';

const config = compileRouterConfig(definePlan(testing.examplePlanInput()));
const east = config.targets['claude/bedrock-us-east-1']!;
const eu = config.targets['claude/bedrock-eu-west-1']!;

function captureStdout(run: () => void): Record<string, unknown>[] {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    return true;
  });
  try {
    run();
  } finally {
    spy.mockRestore();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('RouterTelemetry', () => {
  it('emits EMF per target with exactly Family/Target/Provider/Region and logs raw rate-limit headers tagged with the region', () => {
    const out = captureStdout(() => new RouterTelemetry().record({
      requestId: 'req-1', family: 'claude', api: 'anthropic',
      attempts: [
        { target: east, outcome: 'throttled', status: 429, latencyMs: 12, retry: false, rateLimitHeaders: { 'x-amzn-bedrock-input-token-count': '10' } },
        { target: eu, outcome: 'success', status: 200, latencyMs: 30, retry: true, rateLimitHeaders: {} },
      ],
      retryBudgetDenials: [],
      clientStatus: 200, servedBy: eu, usage: { inputTokens: 100, outputTokens: 20 }, latencyMs: 45, timeToFirstByteMs: 20,
      headroom: [{ target: east, percent: 3 }, { target: eu, percent: 80 }],
    }));
    const emf = out.filter((o) => '_aws' in o);
    const dimensionSets = new Set(emf.map((o) => JSON.stringify((o._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]!.Dimensions.map((d) => [...d].sort()))));
    expect([...dimensionSets]).toEqual([JSON.stringify([['Family', 'Provider', 'Region', 'Target']])]);
    const eastMetrics = emf.filter((o) => o.Target === 'bedrock-us-east-1');
    expect(eastMetrics[0]).toMatchObject({ Region: 'us-east-1', Provider: 'bedrock', [METRICS.requests]: 1, [METRICS.upstreamThrottles]: 1, [METRICS.latency]: 12 });
    expect(emf.find((o) => o.Target === 'bedrock-eu-west-1' && METRICS.retries in o)).toMatchObject({ [METRICS.retries]: 1 });
    expect(emf.find((o) => METRICS.inputTokens in o)).toMatchObject({ Target: 'bedrock-eu-west-1', [METRICS.inputTokens]: 100, [METRICS.outputTokens]: 20, [METRICS.timeToFirstByte]: 20 });
    expect(emf.find((o) => o.Target === 'bedrock-us-east-1' && METRICS.headroomPercent in o)).toMatchObject({ [METRICS.headroomPercent]: 3 });
    const log = out.find((o) => o.message === 'upstream attempt' && o.target === 'bedrock-us-east-1');
    expect(log).toMatchObject({ region: 'us-east-1', outcome: 'throttled', rateLimitHeaders: { 'x-amzn-bedrock-input-token-count': '10' } });
  });

  it('counts a client-visible 429 per family', () => {
    const out = captureStdout(() => new RouterTelemetry().record({
      requestId: 'req-2', family: 'claude', api: 'anthropic', attempts: [], retryBudgetDenials: [east], clientStatus: 429, latencyMs: 1, headroom: [],
    }));
    expect(out.find((o) => METRICS.clientThrottles in o)).toMatchObject({ Family: 'claude', [METRICS.clientThrottles]: 1 });
    expect(out.find((o) => METRICS.retryBudgetDenials in o)).toMatchObject({ Target: 'bedrock-us-east-1', [METRICS.retryBudgetDenials]: 1 });
  });

  it('counts a held request per family: Holds is the number of holds, HeldMs the time held, both on the request log line', () => {
    const out = captureStdout(() => new RouterTelemetry().record({
      requestId: 'req-3', family: 'claude', api: 'anthropic',
      attempts: [{ target: eu, outcome: 'success', status: 200, latencyMs: 30, retry: false, rateLimitHeaders: {} }],
      retryBudgetDenials: [], clientStatus: 200, servedBy: eu, latencyMs: 1_530, headroom: [], holds: 2, heldMs: 1_500,
    }));
    const held = out.filter((o) => '_aws' in o && METRICS.holds in o);
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ Family: 'claude', [METRICS.holds]: 2, [METRICS.heldMs]: 1_500 });
    expect(held[0]).not.toHaveProperty('Target');
    const declared = (held[0]!._aws as { CloudWatchMetrics: { Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics[0]!;
    expect(declared.Dimensions).toEqual([['Family']]);
    expect(declared.Metrics).toEqual(expect.arrayContaining([{ Name: 'Holds', Unit: 'Count' }, { Name: 'HeldMs', Unit: 'Milliseconds' }]));
    expect(out.find((o) => o.message === 'request')).toMatchObject({ requestId: 'req-3', holds: 2, heldMs: 1_500 });
  });

  it('a request never held emits no Holds metric and logs holds: 0', () => {
    const out = captureStdout(() => new RouterTelemetry().record({
      requestId: 'req-4', family: 'claude', api: 'anthropic', attempts: [], retryBudgetDenials: [], clientStatus: 429, latencyMs: 1, headroom: [],
    }));
    expect(out.some((o) => METRICS.holds in o || METRICS.heldMs in o)).toBe(false);
    expect(out.find((o) => o.message === 'request')).toMatchObject({ holds: 0, heldMs: 0 });
  });
});
