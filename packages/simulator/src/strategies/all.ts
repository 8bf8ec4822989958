import type { Strategy } from '../model';
import { headroomStrategy } from './headroom';
import { liteLlmStrategy } from './litellm';
import { oracleStrategy } from './oracle';
import { fixedPrimaryStrategy, portkeyStrategy, roundRobinStrategy } from './stateless';

/** Every strategy the benchmark compares, Headroom first, the oracle last. */
export function allStrategies(): Strategy[] {
  return [headroomStrategy(), fixedPrimaryStrategy, roundRobinStrategy, portkeyStrategy, liteLlmStrategy(), oracleStrategy];
}
