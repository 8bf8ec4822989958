import type { LimitKind } from '@headroom/plan';
import { InMemorySharedStore, type SharedStore, type SharedUsage } from '@headroom/router-lambda';

/** How the cross-instance store behaves: what a read costs and how long a write takes to be seen. */
export interface StoreModel {
  /** Added to every request that reads it (a DynamoDB GetItem/BatchGet in-region: a few ms). @default 4 */
  readonly readLatencyMs?: number;
  /** A write becomes visible to other instances this long after it is made. @default 50 */
  readonly visibilityLagMs?: number;
}

/**
 * The router's own InMemorySharedStore (the same sliding sub-window arithmetic as the DynamoDB
 * store), with writes delayed by `visibilityLagMs` of virtual time: instances act on stale state.
 * A write is stamped with the time it was made (its sub-window and its charge-weighted time, as
 * DynamoDB's item holds the writer's clock) and only seen `visibilityLagMs` later.
 * The engine calls `flush(now)` before each event so delayed writes land in time order.
 */
export class SimSharedStore implements SharedStore {
  readonly readLatencyMs: number;
  readonly visibilityLagMs: number;
  private readonly inner = new InMemorySharedStore();
  private pending: { at: number; apply: () => Promise<void> }[] = [];

  constructor(model: StoreModel = {}) {
    this.readLatencyMs = model.readLatencyMs ?? 4;
    this.visibilityLagMs = model.visibilityLagMs ?? 50;
  }

  async flush(now: number): Promise<void> {
    if (this.pending.length === 0 || this.pending[0]!.at > now) return;
    const due = this.pending.filter((w) => w.at <= now);
    this.pending = this.pending.filter((w) => w.at > now);
    for (const write of due) await write.apply();
  }

  read(targets: readonly string[], now: number): Promise<Readonly<Record<string, SharedUsage>>> {
    return this.inner.read(targets, now);
  }

  async add(target: string, charge: Readonly<Partial<Record<LimitKind, number>>>, now: number): Promise<void> {
    this.enqueue(now + this.visibilityLagMs, () => this.inner.add(target, charge, now));
  }

  async cooldown(target: string, until: number, now: number): Promise<void> {
    const at = now + this.visibilityLagMs;
    this.enqueue(at, () => this.inner.cooldown(target, until, at));
  }

  private enqueue(at: number, apply: () => Promise<void>): void {
    // Writes are made in time order with a constant lag, so appending keeps the queue sorted.
    this.pending.push({ at, apply });
  }
}
