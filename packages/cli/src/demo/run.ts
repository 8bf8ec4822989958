import { startEmulator, type Emulator } from '@headroom/emulator';
import { capacityOf, settledCharge, type Plan } from '@headroom/plan';
import { createLocalRouter, emulatorAdapterDeps, startNodeServer, type Router } from '@headroom/router-lambda';
import { poissonArrivals, promptOf, seededRandom, type ChatbotShape, type PlannedRequest } from './traffic';
import { renderFrame, renderSummary, type FamilySummary, type FamilyView, type Frame } from './view';

export interface DemoOptions {
  readonly plan: Plan;
  /** Emulated minutes of traffic. @default 40 */
  readonly minutes?: number;
  /** Emulated seconds per real second. @default 60 (a quota minute per real second) */
  readonly timeScale?: number;
  /** Offered load per family as a multiple of its best single target's capacity (capped at 90% of the pool). @default 2.6 */
  readonly load?: number;
  readonly seed?: number;
  /** Redraw the live view in place (a terminal) or print a frame every few seconds (a log). */
  readonly live: boolean;
  readonly write: (text: string) => void;
}

/** Chatbot-sized requests: prompts around 800 tokens, answers around 300. */
const SHAPE: ChatbotShape = { medianPromptTokens: 800, promptSigma: 0.6, maxTokens: 512 };
const COMPLETION = { minTokens: 150, maxTokens: 450 };

interface FamilyCounters { sent: number; ok: number; client429s: number; retries: number; inputTokens: number; outputTokens: number }

/** Emulator + router on loopback, chatbot traffic above a single region's quota, a live view and a summary. */
export async function runDemo(options: DemoOptions): Promise<FamilySummary[]> {
  const minutes = options.minutes ?? 40;
  const timeScale = options.timeScale ?? 60;
  const emulator = await startEmulator({ plan: options.plan, timeScale, seed: options.seed ?? 1, completionLength: COMPLETION });
  const now = () => emulator.clock.now();
  const { handler, router } = createLocalRouter({ config: emulator.routerConfig, now, seed: options.seed ?? 1, adapters: emulatorAdapterDeps(emulator.routerConfig, now) });
  const server = await startNodeServer(handler);
  const capacity = capacityOf(options.plan);
  const counters = new Map(capacity.map((f) => [f.familyId, { sent: 0, ok: 0, client429s: 0, retries: 0, inputTokens: 0, outputTokens: 0 } as FamilyCounters]));
  const random = seededRandom(options.seed ?? 1);
  const schedule = capacity.flatMap((family) => {
    const best = Math.max(...family.targets.map((t) => t.servedRpm));
    const pooled = family.targets.reduce((sum, t) => sum + t.servedRpm, 0);
    const perMinute = Math.min((options.load ?? 2.6) * best, 0.9 * pooled);
    return poissonArrivals(perMinute, minutes * 60_000, SHAPE, random).map((r) => ({ ...r, family: family.familyId }));
  }).sort((a, b) => a.atMs - b.atMs);

  const start = now();
  const inFlight = new Set<Promise<void>>();
  const frame = (): Frame => ({ elapsedMinutes: (now() - start) / 60_000, totalMinutes: minutes, families: familyViews(options.plan, router, emulator, counters, now()) });
  const draw = setInterval(() => options.write(options.live ? `\x1b[H\x1b[2J${renderFrame(frame())}` : `${renderFrame(frame())}\n`), options.live ? 250 : 5000);
  try {
    for (const [index, request] of schedule.entries()) {
      const wait = emulator.clock.realDelayMs(start + request.atMs - now());
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const call = send(server.url, options.plan, request, index, counters.get(request.family)!);
      inFlight.add(call);
      void call.finally(() => inFlight.delete(call));
    }
    await Promise.all(inFlight);
  } finally {
    clearInterval(draw);
    await server.close();
    await emulator.close();
  }
  options.write(`${options.live ? '\x1b[H\x1b[2J' : ''}${renderFrame(frame())}\n`);
  const elapsed = (now() - start) / 60_000;
  return capacity.map((family) => {
    const c = counters.get(family.familyId)!;
    const stats = emulator.stats();
    const quotaTokens = family.targets.reduce((sum, t) => {
      const s = stats[t.key]!;
      const charge = settledCharge(emulator.routerConfig.targets[t.key]!.cost, { inputTokens: s.inputTokens, maxTokens: 0 }, { inputTokens: s.inputTokens, outputTokens: s.outputTokens });
      return sum + (charge.tpm ?? (charge.itpm ?? 0) + (charge.otpm ?? 0));
    }, 0);
    return {
      id: family.familyId, minutes: elapsed,
      servedTokensPerMinute: (c.inputTokens + c.outputTokens) / elapsed,
      quotaTokensPerMinute: quotaTokens / elapsed,
      bestSingleQuota: family.tokens.best, sumOfQuotas: family.tokens.sum,
      sent: c.sent, client429s: c.client429s,
    };
  });
}

async function send(url: string, plan: Plan, request: PlannedRequest & { family: string }, index: number, counters: FamilyCounters): Promise<void> {
  const family = plan.families[request.family]!;
  const model = family.aliases[0]!;
  const openai = family.api === 'openai';
  counters.sent++;
  const body = { model, max_tokens: request.maxTokens, messages: [{ role: 'user', content: promptOf(request.promptTokens, index) }] };
  try {
    const response = await fetch(`${url}${openai ? '/v1/chat/completions' : '/v1/messages'}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await response.json() as { usage?: { input_tokens?: number; output_tokens?: number; prompt_tokens?: number; completion_tokens?: number } };
    counters.retries += Math.max(0, Number(response.headers.get('x-headroom-attempts') ?? '1') - 1);
    if (response.status === 429) counters.client429s++;
    if (!response.ok) return;
    counters.ok++;
    counters.inputTokens += json.usage?.input_tokens ?? json.usage?.prompt_tokens ?? 0;
    counters.outputTokens += json.usage?.output_tokens ?? json.usage?.completion_tokens ?? 0;
  } catch {
    // The router answers every request; a transport error here is counted as not served.
  }
}

function familyViews(plan: Plan, router: Router, emulator: Emulator, counters: Map<string, FamilyCounters>, now: number): FamilyView[] {
  const status = new Map(router.status(now).targets.map((t) => [t.key, t]));
  const stats = emulator.stats();
  return Object.keys(plan.families).sort().map((familyId) => {
    const c = counters.get(familyId)!;
    const targets = Object.keys(plan.families[familyId]!.targets).sort().map((targetId) => {
      const key = `${familyId}/${targetId}`;
      const s = status.get(key)!;
      const quota = stats[key]!.quota;
      return {
        id: targetId, region: s.region, headroomPct: s.headroomPct,
        limits: Object.entries(quota).map(([kind, l]) => ({ kind: kind as 'rpm', used: l!.limit - l!.remaining, limit: l!.limit })),
        upstream429s: stats[key]!.throttled, served: stats[key]!.admitted, breaker: s.breaker.kind, coolingDown: s.cooldown !== undefined,
      };
    });
    return { id: familyId, sent: c.sent, ok: c.ok, client429s: c.client429s, retries: c.retries, targets };
  });
}

export { renderSummary };
