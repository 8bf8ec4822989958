import { setTimeout as sleep } from 'node:timers/promises';
import { ManualClock, ScaledClock, startEmulator, type Emulator } from '@headroom/emulator';
import { capacityOf, type Charge, type CostModel, type FamilyCapacity, type LimitKind, type Plan } from '@headroom/plan';
import { createLocalRouter, emulatorAdapterDeps, scaledTimers, startNodeServer, type Router } from '@headroom/router-lambda';
import { SchedulePacer } from './pacing';
import { TrailingRates } from './rates';
import { poissonArrivals, promptOf, seededRandom, type ChatbotShape, type PlannedRequest } from './traffic';
import { renderFrame, renderSummary, type DemoSummary, type FamilySummary, type FamilyView, type Frame } from './view';

export interface DemoOptions {
  readonly plan: Plan;
  /** Emulated minutes of traffic. @default 40 */
  readonly minutes?: number;
  /** Emulated seconds per real second on the real clock. @default 60 (a quota minute per real second) */
  readonly timeScale?: number;
  /** Offered load per family as a multiple of its best single target's capacity (capped at 90% of the pool). @default 2.6 */
  readonly load?: number;
  readonly seed?: number;
  /**
   * `real`: paced on a compressed real clock, slowed down if the host falls behind.
   * `virtual`: the clock is driven by hand, as fast as the machine allows, with the same numbers on any machine.
   * @default 'real'
   */
  readonly clock?: 'real' | 'virtual';
  /** Redraw the live view in place (a terminal) or print a frame every few emulated minutes (a log). */
  readonly live: boolean;
  readonly write: (text: string) => void;
  /** Aborting stops the traffic; answers in flight are awaited and the summary covers what was offered. */
  readonly signal?: AbortSignal;
}

/** Chatbot-sized requests: prompts around 800 tokens, answers around 300. */
const SHAPE: ChatbotShape = { medianPromptTokens: 800, promptSigma: 0.6, maxTokens: 512 };
const COMPLETION = { minTokens: 150, maxTokens: 450 };
const MINUTE_MS = 60_000;
/** How often the trailing-minute rates are sampled, in emulated ms. */
const SAMPLE_EVERY_MS = 5_000;

interface FamilyCounters { sent: number; ok: number; client429s: number; retries: number; inputTokens: number; outputTokens: number }
type Scheduled = PlannedRequest & { readonly family: string };

/** Emulator + router on loopback, chatbot traffic above a single region's quota, a live view and a summary. */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const minutes = options.minutes ?? 40;
  const seed = options.seed ?? 1;
  const manual = options.clock === 'virtual' ? new ManualClock() : undefined;
  const scaled = manual ? undefined : new ScaledClock(options.timeScale ?? 60);
  const emulator = await startEmulator({ plan: options.plan, clock: manual ?? scaled!, seed, completionLength: COMPLETION });
  const now = () => emulator.clock.now();
  // On the scaled clock a held request (routing.hold) waits its emulated ms / scale in real time. The
  // virtual clock gets no timers, so nothing is held: it moves only between requests, each awaited in
  // turn, and a held request would wait for a clock that never moves.
  const { handler, router } = createLocalRouter({
    config: emulator.routerConfig, now, seed, adapters: emulatorAdapterDeps(emulator.routerConfig, now),
    ...(scaled ? { timers: scaledTimers(scaled) } : {}),
  });
  const server = await startNodeServer(handler);
  const capacity = capacityOf(options.plan);
  const counters = new Map(capacity.map((f) => [f.familyId, { sent: 0, ok: 0, client429s: 0, retries: 0, inputTokens: 0, outputTokens: 0 } as FamilyCounters]));
  const schedule = trafficFor(capacity, minutes, options.load ?? 2.6, seed);

  const start = now();
  const pacer = new SchedulePacer(start, scaled?.timeScale ?? 1, manual ? 'virtual' : 'real');
  const rates = new TrailingRates();
  let lastSampleAt = -Infinity;
  const sample = () => {
    rates.record(now(), chargedByTarget(emulator));
    lastSampleAt = now();
  };
  let draining = false;
  const frame = (): Frame => ({
    offeredMinutes: pacer.offeredMs(now()) / MINUTE_MS, totalMinutes: minutes, clock: manual ? 'virtual' : `${scaled!.timeScale}x`, draining,
    families: familyViews(options.plan, router, emulator, counters, rates, now()),
  });
  const draw = () => options.write(options.live ? `\x1b[H\x1b[2J${renderFrame(frame())}` : `${renderFrame(frame())}\n\n`);
  // A log gets about eight frames a run; a terminal is redrawn four times a second.
  const logEveryMs = Math.max(1, Math.round(minutes / 8)) * MINUTE_MS;
  let nextLogAt = logEveryMs;
  const tick = () => {
    if (now() - lastSampleAt >= SAMPLE_EVERY_MS) sample();
    if (options.live) return draw();
    if (pacer.offeredMs(now()) >= nextLogAt) {
      nextLogAt += logEveryMs;
      draw();
    }
  };
  sample();
  draw();
  const ticker = manual ? undefined : setInterval(tick, 250);
  const inFlight = new Set<Promise<void>>();
  let interrupted = false;
  let offeredMs = minutes * MINUTE_MS;
  try {
    for (const [index, request] of schedule.entries()) {
      const due = pacer.dueAt(request.atMs);
      if (manual) manual.advance(Math.max(0, due - now()));
      else {
        const wait = scaled!.realDelayMs(due - now());
        if (wait > 0) await sleep(wait, undefined, options.signal ? { signal: options.signal } : {}).catch(() => undefined);
      }
      if (options.signal?.aborted) {
        interrupted = true;
        offeredMs = Math.min(offeredMs, pacer.offeredMs(now()));
        break;
      }
      const slower = pacer.sent(request.atMs, now());
      if (slower !== undefined) scaled?.setTimeScale(slower);
      const call = send(server.url, options.plan, request, index, counters.get(request.family)!);
      if (manual) {
        await call;
        tick();
      } else {
        inFlight.add(call);
        void call.finally(() => inFlight.delete(call));
      }
    }
    draining = true;
    await Promise.all(inFlight);
  } finally {
    if (ticker) clearInterval(ticker);
    sample();
    await server.close();
    await emulator.close();
  }
  draw();
  return {
    families: capacity.map((family) => familySummary(family, counters.get(family.familyId)!, emulator, offeredMs)),
    pacing: pacer.report(offeredMs),
    interrupted,
    quotaNotes: quotaNotes(Object.values(emulator.routerConfig.targets).map((t) => ({ provider: t.provider, cost: t.cost }))),
  };
}

/** Poisson chatbot traffic per family at `load` x its best target, capped at 90% of its pool. */
function trafficFor(capacity: readonly FamilyCapacity[], minutes: number, load: number, seed: number): Scheduled[] {
  const random = seededRandom(seed);
  return capacity.flatMap((family) => {
    const best = Math.max(...family.targets.map((t) => t.servedRpm));
    const pooled = family.targets.reduce((sum, t) => sum + t.servedRpm, 0);
    const perMinute = Math.min(load * best, 0.9 * pooled);
    return poissonArrivals(perMinute, minutes * MINUTE_MS, SHAPE, random).map((r) => ({ ...r, family: family.familyId }));
  }).sort((a, b) => a.atMs - b.atMs);
}

function chargedByTarget(emulator: Emulator): Record<string, Charge> {
  return Object.fromEntries(Object.entries(emulator.stats()).map(([key, s]) => [key, s.charged]));
}

/** Tokens a target's provider counted: its TPM, or input plus output where those are limited apart. */
const quotaTokens = (charged: Charge) => charged.tpm ?? (charged.itpm ?? 0) + (charged.otpm ?? 0);

function familySummary(family: FamilyCapacity, c: FamilyCounters, emulator: Emulator, offeredMs: number): FamilySummary {
  const stats = emulator.stats();
  const perMinute = (total: number) => (offeredMs > 0 ? (total * MINUTE_MS) / offeredMs : 0);
  const charged = family.targets.reduce((sum, t) => sum + quotaTokens(stats[t.key]!.charged), 0);
  return {
    id: family.familyId, minutes: offeredMs / MINUTE_MS,
    servedTokensPerMinute: perMinute(c.inputTokens + c.outputTokens),
    quotaTokensPerMinute: perMinute(charged),
    bestSingleQuota: family.tokens.best, sumOfQuotas: family.tokens.sum,
    sent: c.sent, client429s: c.client429s,
  };
}

/** Why quota use can exceed tokens served, for the cost models this plan actually has. */
export function quotaNotes(targets: readonly { provider: string; cost: CostModel }[]): string[] {
  const notes = new Set<string>();
  for (const { cost } of targets) {
    if (cost.kind === 'reserve-then-burn' && cost.outputBurn > 1) notes.add(`Bedrock counts each output token ${cost.outputBurn}x against TPM`);
    if (cost.kind === 'prompt-plus-max-tokens') notes.add('Azure OpenAI counts prompt + max_tokens at admission and refunds none of it');
    if (cost.kind === 'max-of-prompt-or-max-tokens') notes.add('OpenAI counts the larger of the prompt and max_tokens');
  }
  return [...notes];
}

async function send(url: string, plan: Plan, request: Scheduled, index: number, counters: FamilyCounters): Promise<void> {
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

function familyViews(plan: Plan, router: Router, emulator: Emulator, counters: Map<string, FamilyCounters>, rates: TrailingRates, now: number): FamilyView[] {
  const status = new Map(router.status(now).targets.map((t) => [t.key, t]));
  const stats = emulator.stats();
  return Object.keys(plan.families).sort().map((familyId) => {
    const c = counters.get(familyId)!;
    const targets = Object.keys(plan.families[familyId]!.targets).sort().map((targetId) => {
      const key = `${familyId}/${targetId}`;
      const s = status.get(key)!;
      const limits = Object.entries(stats[key]!.quota).map(([kind, l]) => ({ kind: kind as LimitKind, usedPerMinute: rates.perMinute(key, kind as LimitKind), declaredPerMinute: l!.limit }));
      return {
        id: targetId, region: s.region, headroomPct: s.headroomPct, limits,
        upstream429s: stats[key]!.throttled, served: stats[key]!.admitted, breaker: s.breaker.kind, coolingDown: s.cooldown !== undefined,
      };
    });
    return { id: familyId, sent: c.sent, ok: c.ok, client429s: c.client429s, retries: c.retries, targets };
  });
}

export { renderSummary };
