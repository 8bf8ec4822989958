import type { BucketState } from './bucket';
import { MS_PER_MINUTE } from './evidence';
import type { HeadroomState } from './headroom';

/**
 * How stale the router's view of a target is, 0..1: the weight selection gives to randomising
 * (selection.ts `argmaxWhenFresh`). Only what the router actually knows goes in:
 * - with no shared evidence, its own accounting is exact (it booked every charge): 0;
 * - with a shared snapshot, the share of the bucket's trailing-minute charges that other instances
 *   made (`othersShare`). Those charges keep arriving between reads and are seen only after the
 *   store's visibility lag, which the router cannot measure; every instance that relies on them
 *   sees the same picture, which is what makes argmax herd. Our own charges are exact. A snapshot
 *   with no charges at all says nothing about who else is deciding on it (a fleet's cold start):
 *   counted as 1.
 * - the snapshot's age against the bucket's refill time (a minute): an old read says little about
 *   a bucket that has refilled since.
 * Combined as independent sources of doubt: 1 - (1 - others) (1 - age / 60 s). A target's
 * staleness is its most stale bucket's.
 */
export function bucketStaleness(bucket: BucketState, now: number): number {
  if (!bucket.shared) return 0;
  const others = Math.min(1, Math.max(0, bucket.othersShare ?? 0));
  const aged = Math.min(1, Math.max(0, now - bucket.shared.observedAt) / MS_PER_MINUTE);
  return 1 - (1 - others) * (1 - aged);
}

export function headroomStaleness(state: HeadroomState, now: number): number {
  let staleness = 0;
  for (const bucket of Object.values(state.buckets)) if (bucket) staleness = Math.max(staleness, bucketStaleness(bucket, now));
  return staleness;
}
