import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ROUTING_DEFAULTS } from '@headroom/plan/runtime';
import type { SharedStore, SharedUsage, SharedWindow } from '../core/contracts';
import { cappedUntil, CLOCK_SKEW_MS, plausibleSharedUntil } from '../core/cooldown';
import { REPLAY_MS, replayWindowStarts, sharedWindowOf, subWindowStart, sumTrailing, windowIncrements, type Counts } from '../core/sliding-windows';

/** The state table's key schema; the CDK construct creates the table from these names. */
export const STATE_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes expired window and cooldown items. */
  ttlAttribute: 'expiresAt',
} as const;

const COOLDOWN_SK = 'cooldown';
/** Items outlive the replay's horizon (REPLAY_MS) by a margin; TTL deletion is lazy anyway. */
const WINDOW_TTL_S = REPLAY_MS / 1_000 + 120;
/** BatchGetItem accepts at most 100 keys per call. */
const BATCH_KEYS = 100;

const windowSk = (start: number) => `w#${start}`;

export interface DynamoDbSharedStoreOptions {
  /** No cooldown is stored or reported further out than this (the config's routing.maxCooldownMs). @default ROUTING_DEFAULTS.maxCooldownMs */
  readonly maxCooldownMs?: number;
}

/**
 * Cross-instance counters in DynamoDB, per bucket (a target's key, or a shared quota's id): one item per 10-second sub-window (atomic ADD
 * of the net charge, its charge-weighted time and refunds per limit: at most 12 numbers, far below the 400 KB item limit)
 * and one cooldown item (conditional: never shortened, never beyond `maxCooldownMs`). A read of
 * every target of a family is one parallel BatchGetItem round trip, not one call per target.
 */
export class DynamoDbSharedStore implements SharedStore {
  private readonly doc: DynamoDBDocumentClient;
  private readonly maxCooldownMs: number;

  constructor(client: DynamoDBClient, private readonly tableName: string, options: DynamoDbSharedStoreOptions = {}) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
    this.maxCooldownMs = options.maxCooldownMs ?? ROUTING_DEFAULTS.maxCooldownMs;
  }

  async read(targets: readonly string[], now: number): Promise<Readonly<Record<string, SharedUsage>>> {
    const starts = replayWindowStarts(now);
    const keys = targets.flatMap((pk) => [...starts.map((s) => ({ pk, sk: windowSk(s) })), { pk, sk: COOLDOWN_SK }]);
    const items = (await Promise.all(chunk(keys, BATCH_KEYS).map((batch) => this.batchGet(batch)))).flat();
    const byKey = new Map(items.map((item) => [`${String(item.pk)} ${String(item.sk)}`, item]));
    const result: Record<string, SharedUsage> = {};
    for (const target of targets) {
      const windows = starts.flatMap((start): SharedWindow[] => {
        const window = sharedWindowOf(start, byKey.get(`${target} ${windowSk(start)}`));
        return window ? [window] : [];
      });
      const used = sumTrailing(now, (start) => windows.find((w) => w.start === start)?.charge);
      const stored = byKey.get(`${target} ${COOLDOWN_SK}`)?.until;
      const until = typeof stored === 'number' ? plausibleSharedUntil(stored, now, this.maxCooldownMs) : undefined;
      result[target] = { windows, used, readAt: now, ...(until !== undefined && until > now ? { cooldownUntil: until } : {}) };
    }
    return result;
  }

  async add(target: string, charge: Readonly<Counts>, now: number): Promise<void> {
    // Net charge, charge-weighted time and refunds per limit (sliding-windows.ts): all plain sums, so
    // one UpdateItem with ADD, atomic against concurrent instances, as for the net charge alone.
    const increments = Object.entries(windowIncrements(charge, now));
    if (increments.length === 0) return;
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: target, sk: windowSk(subWindowStart(now)) },
      UpdateExpression: `ADD ${increments.map((_, i) => `#a${i} :a${i}`).join(', ')} SET #ttl = :ttl`,
      ExpressionAttributeNames: { ...Object.fromEntries(increments.map(([name], i) => [`#a${i}`, name])), '#ttl': STATE_TABLE.ttlAttribute },
      ExpressionAttributeValues: { ...Object.fromEntries(increments.map(([, value], i) => [`:a${i}`, value])), ':ttl': Math.ceil(now / 1000) + WINDOW_TTL_S },
    }));
  }

  async cooldown(target: string, requested: number, now: number): Promise<void> {
    if (!Number.isFinite(requested)) return;
    const until = cappedUntil(requested, now, this.maxCooldownMs);
    try {
      await this.doc.send(new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: target, sk: COOLDOWN_SK },
        UpdateExpression: 'SET #until = :until, #ttl = :ttl',
        // Longer cooldowns stand, except one beyond any cap (written before it existed): replaced.
        ConditionExpression: 'attribute_not_exists(#until) OR #until < :until OR #until > :implausible',
        ExpressionAttributeNames: { '#until': 'until', '#ttl': STATE_TABLE.ttlAttribute },
        ExpressionAttributeValues: { ':until': until, ':implausible': now + this.maxCooldownMs + CLOCK_SKEW_MS, ':ttl': Math.ceil(Math.max(until, now) / 1000) + WINDOW_TTL_S },
      }));
    } catch (error) {
      // A longer cooldown is already recorded: keep it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async batchGet(keys: { pk: string; sk: string }[]): Promise<Record<string, unknown>[]> {
    const found: Record<string, unknown>[] = [];
    let pending: { pk: string; sk: string }[] = keys;
    // Unprocessed keys come back under throttling; retry them (bounded) so a read is never partial.
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt === 5) throw new SharedStoreReadError(this.tableName, pending.length);
      const output = await this.doc.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: false } } }));
      found.push(...(output.Responses?.[this.tableName] ?? []));
      pending = (output.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as { pk: string; sk: string }[];
    }
    return found;
  }
}

export class SharedStoreReadError extends Error {
  override readonly name = 'SharedStoreReadError';
  constructor(readonly table: string, readonly unprocessedKeys: number) {
    super(`DynamoDB table ${table} left ${unprocessedKeys} keys unprocessed after retries`);
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
