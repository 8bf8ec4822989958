import { compileRouterConfig, definePlan } from '@headroom/plan';
import { Router, seededRng, type Ticket } from '@headroom/router-lambda';
import { chatbotPlan } from '../scenarios';

/** place + complete pairs per second of one Router on the worked example's plan, steady traffic, virtual time. */
export function decisionThroughput(iterations = 100_000): { perSecond: number; nsPerDecision: number; iterations: number } {
  const config = compileRouterConfig(definePlan(chatbotPlan()));
  const router = new Router(config, { rng: seededRng(1) });
  let now = Date.UTC(2026, 0, 1);
  const outstanding: Ticket[] = [];
  const run = (n: number) => {
    for (let i = 0; i < n; i++) {
      now += 600; // 100 requests a minute: inside the quotas, so every placement succeeds
      const p = router.place({ family: 'chatbot', estimate: { inputTokens: 200, maxTokens: 50 } }, now);
      if (p.kind === 'placed') outstanding.push(p.ticket);
      if (outstanding.length > 8) router.complete(outstanding.shift()!, { kind: 'success', usage: { inputTokens: 200, outputTokens: 20 }, observations: [] }, now);
    }
  };
  run(Math.min(10_000, iterations)); // warm the JIT
  const t0 = process.hrtime.bigint();
  run(iterations);
  const ns = Number(process.hrtime.bigint() - t0);
  return { perSecond: (iterations * 1e9) / ns, nsPerDecision: ns / iterations, iterations };
}
