import type { Charge, RouterConfig, RouterTarget } from '@headroom/plan/runtime';
import type { Observation, SharedUsage } from './contracts';
import { createHeadroom, exhaustHeadroom, headroomAfter, headroomMsUntilFits, headroomView, observeHeadroom, observeSharedUsage, reserveHeadroom, settleHeadroom, type HeadroomState, type HeadroomView } from './headroom';
import type { Availability } from './target-state';

/**
 * Provider quotas several targets share (the plan's `quotas:`). Each is one headroom, charged for
 * whichever target draws on it, so two families on one quota cannot each take all of it. Across
 * instances it is shared through the store under the quota's id (target keys hold a '/', quota ids
 * never do). A target keeps its own buckets too: its own cap (an Azure deployment's capacity).
 */
export class SharedQuotas {
  private readonly states = new Map<string, HeadroomState>();

  constructor(config: Pick<RouterConfig, 'quotas'>) {
    for (const quota of Object.values(config.quotas ?? {})) {
      this.states.set(quota.id, createHeadroom({ key: quota.id, provider: quota.provider, limits: quota.limits }));
    }
  }

  /** The shared quota a target draws on, if any. */
  quotaOf(target: Pick<RouterTarget, 'quota'>): string | undefined {
    return target.quota !== undefined && this.states.has(target.quota) ? target.quota : undefined;
  }

  /** Store keys to charge for a target: its own key, then its shared quota's id. */
  storeKeys(target: Pick<RouterTarget, 'key' | 'quota'>): string[] {
    const quota = this.quotaOf(target);
    return quota ? [target.key, quota] : [target.key];
  }

  /** The target's own verdict, narrowed by its shared quota: blocked until both fit, scored by the lower. */
  narrow(target: Pick<RouterTarget, 'quota'>, verdict: Availability, charge: Charge, now: number): Availability {
    const state = this.stateOf(target);
    if (!state) return verdict;
    const wait = headroomMsUntilFits(state, charge, now);
    if (!Number.isFinite(wait)) return { kind: 'blocked', at: Number.POSITIVE_INFINITY, why: 'too-large' };
    if (verdict.kind === 'blocked') return wait > 0 && now + wait > verdict.at ? { ...verdict, at: now + wait, why: 'headroom' } : verdict;
    if (wait > 0) return { kind: 'blocked', at: now + wait, why: 'headroom' };
    const score = headroomAfter(state, charge, now);
    if (score === undefined) return { kind: 'blocked', at: now + 1, why: 'headroom' };
    return { ...verdict, score: Math.min(verdict.score, score) };
  }

  reserve(target: Pick<RouterTarget, 'quota'>, charge: Charge, now: number): void {
    this.update(target, (state) => reserveHeadroom(state, charge, now));
  }

  settle(target: Pick<RouterTarget, 'quota'>, reserved: Charge, final: Charge, now: number): void {
    this.update(target, (state) => settleHeadroom(state, reserved, final, now).state);
  }

  /** A 429 from a target on the quota: the quota had no room for this charge. */
  exhaust(target: Pick<RouterTarget, 'quota'>, charge: Charge, now: number): void {
    this.update(target, (state) => exhaustHeadroom(state, charge, now));
  }

  /**
   * Rate-limit headers from the Anthropic and OpenAI APIs count the organization's limit, which is
   * the shared quota; Azure's count the deployment, so they stay with the target.
   */
  observeHeaders(target: Pick<RouterTarget, 'quota' | 'rateLimitHeaders'>, observations: readonly Observation[]): void {
    if (target.rateLimitHeaders !== 'anthropic' && target.rateLimitHeaders !== 'openai') return;
    this.update(target, (state) => observeHeadroom(state, observations));
  }

  /** Applies a snapshot read under a quota id; returns false for any other key. */
  observe(key: string, usage: SharedUsage): boolean {
    const state = this.states.get(key);
    if (!state) return false;
    this.states.set(key, observeSharedUsage(state, usage));
    return true;
  }

  view(now: number): { readonly quota: string; readonly view: HeadroomView }[] {
    return [...this.states.keys()].sort().map((quota) => ({ quota, view: headroomView(this.states.get(quota)!, now) }));
  }

  private stateOf(target: Pick<RouterTarget, 'quota'>): HeadroomState | undefined {
    const quota = this.quotaOf(target);
    return quota ? this.states.get(quota) : undefined;
  }

  private update(target: Pick<RouterTarget, 'quota'>, change: (state: HeadroomState) => HeadroomState): void {
    const quota = this.quotaOf(target);
    if (quota) this.states.set(quota, change(this.states.get(quota)!));
  }
}
