import { servesPin, type RouterConfig, type RouterFamily } from '@headroom/plan/runtime';
import type { Candidate } from './selection';

/**
 * Pin-aware selection: keep the scarce servers of a residency pin for the pinned demand.
 *
 * A family that declares pins (`families[f].pins`) gets requests that only some of its targets
 * may serve (e.g. EU traffic only to eu-west-1). If unpinned traffic fills those targets as
 * readily as the others, pinned requests find them exhausted and get 429s while the rest of the
 * family still has room. So, for an unpinned request only, a scarce server's score (headroom
 * after the request, as a share of its limit) is lowered by `PIN_RESERVE_DISCOUNT`, and while
 * another target fits, an unpinned request may not take a scarce server below
 * `PIN_RESERVE_FLOOR` of its limit. Unpinned traffic still goes there when it is clearly emptier
 * than the alternative drawn, or when nothing else fits (never a 429 that capacity could avoid).
 * It only filters and rescores the candidates before the strategy chooses, so the strategy's
 * herd bound and determinism under the injected RNG are unchanged; pinned requests are untouched.
 */
export const PIN_RESERVE_DISCOUNT = 0.25;
/** Unpinned traffic leaves a scarce server at least this share of its limit while anything else fits. */
export const PIN_RESERVE_FLOOR = 0.2;

/** Targets of the family that serve one of its pins that some other target of the family does not serve. */
export function scarcePinServers(config: Pick<RouterConfig, 'targets'>, family: Pick<RouterFamily, 'pins' | 'targets'>): ReadonlySet<string> {
  const scarce = new Set<string>();
  for (const pin of family.pins) {
    const servers = family.targets.filter((key) => {
      const target = config.targets[key];
      return target !== undefined && servesPin(target.residency, pin);
    });
    if (servers.length < family.targets.length) for (const key of servers) scarce.add(key);
  }
  return scarce;
}

/**
 * The candidates as an unpinned request should see them: scarce pin servers below the floor left
 * out while another candidate remains, the rest discounted (floored at 0). Never empty if given some.
 */
export function discountScarce(candidates: readonly Candidate[], scarce: ReadonlySet<string>, discount = PIN_RESERVE_DISCOUNT, floor = PIN_RESERVE_FLOOR): Candidate[] {
  if (scarce.size === 0) return [...candidates];
  const kept = candidates.filter((c) => !scarce.has(c.key) || c.score >= floor);
  return (kept.length > 0 ? kept : candidates).map((c) => (scarce.has(c.key) ? { ...c, score: Math.max(0, c.score - discount) } : c));
}
