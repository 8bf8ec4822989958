import type { Strategy } from '../model';
import { headroomStrategy } from './headroom';
import { liteLlmRecommendedStrategy, liteLlmStrategy } from './litellm';
import { oracleStrategy } from './oracle';
import { portkeyNestedFallbackStrategy } from './portkey';
import { roundRobinEjectionStrategy } from './round-robin';
import { fixedPrimaryStrategy, portkeyStrategy, roundRobinStrategy } from './stateless';

/**
 * The ids of every peer strategy (what other gateways do, bare and as their docs recommend), in the
 * order `allStrategies()` lists them. Not a peer: Headroom's variants, the oracle, the direct
 * single-region baseline. The statistics compare Headroom against the best of these.
 */
export const PEER_IDS = [
  'fixed-primary',
  'round-robin',
  'round-robin-ejection',
  'portkey-loadbalance',
  'portkey-loadbalance-fallback',
  'litellm-usage-v2',
  'litellm-usage-v2-fallbacks',
] as const;

export type PeerId = (typeof PEER_IDS)[number];

/** Whether a strategy id is a peer (see PEER_IDS). */
export function isPeer(id: string): id is PeerId {
  return (PEER_IDS as readonly string[]).includes(id);
}

/** Every strategy the benchmark compares: Headroom first, then the peers (bare and recommended), the oracle last. */
export function allStrategies(): Strategy[] {
  return [
    headroomStrategy(),
    fixedPrimaryStrategy,
    roundRobinStrategy,
    roundRobinEjectionStrategy(),
    portkeyStrategy,
    portkeyNestedFallbackStrategy,
    liteLlmStrategy(),
    liteLlmRecommendedStrategy(),
    oracleStrategy,
  ];
}
