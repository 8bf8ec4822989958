import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import fc from 'fast-check';
import { InMemorySharedStore } from '../core/in-memory-store';
import { config as twoAppsConfig, providerRefusals, step } from '../core/shared-quotas.test-helpers';
import { DynamoDbSharedStore, STATE_TABLE } from './dynamodb-store';

// dynalite: a DynamoDB implementation on loopback, so the store is tested against the real wire protocol.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => Server;

let server: Server;
let client: DynamoDBClient;
const TABLE = 'headroom-state-test';

beforeAll(async () => {
  server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'fake-secret' },
  });
  await client.send(new CreateTableCommand({
    TableName: TABLE,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: STATE_TABLE.partitionKey, AttributeType: 'S' }, { AttributeName: STATE_TABLE.sortKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: STATE_TABLE.partitionKey, KeyType: 'HASH' }, { AttributeName: STATE_TABLE.sortKey, KeyType: 'RANGE' }],
  }));
});

afterAll(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe('DynamoDbSharedStore against dynalite', () => {
  const T0 = 1_700_000_000_000;

  it('adds charges atomically from concurrent instances and sums the trailing minute', async () => {
    const store = new DynamoDbSharedStore(client, TABLE);
    await Promise.all(Array.from({ length: 20 }, () => store.add('fam/a', { rpm: 1, tpm: 500 }, T0)));
    await store.add('fam/a', { tpm: -100 }, T0 + 1);
    await store.add('fam/a', { rpm: 1, tpm: 50 }, T0 + 31_500);
    const { 'fam/a': usage } = await store.read(['fam/a'], T0 + 31_500);
    expect(usage).toEqual({
      windows: [
        // 20 charges at 0 ms into the window, the refund kept apart.
        { start: T0, charge: { rpm: 20, tpm: 20 * 500 - 100 }, chargeMs: { rpm: 0, tpm: 0 }, refund: { tpm: 100 } },
        // 1,500 ms into its window: charge x 1,500.
        { start: T0 + 30_000, charge: { rpm: 1, tpm: 50 }, chargeMs: { rpm: 1_500, tpm: 75_000 } },
      ],
      used: { rpm: 21, tpm: 20 * 500 - 100 + 50 },
      readAt: T0 + 31_500,
    });
  });

  it('counts a minute in the trailing sum, and returns three minutes of sub-windows for the replay', async () => {
    const store = new DynamoDbSharedStore(client, TABLE);
    await store.add('fam/old', { rpm: 5 }, T0);
    expect((await store.read(['fam/old'], T0 + 75_000))['fam/old']!.used).toEqual({});
    expect((await store.read(['fam/old'], T0 + 75_000))['fam/old']!.windows.map((w) => w.start)).toEqual([T0]);
    expect((await store.read(['fam/old'], T0 + 189_999))['fam/old']!.windows.map((w) => w.start)).toEqual([T0]);
    expect((await store.read(['fam/old'], T0 + 190_000))['fam/old']!.windows).toEqual([]);
  });

  it('keeps the longest cooldown and reports it only while it lasts', async () => {
    const store = new DynamoDbSharedStore(client, TABLE);
    await store.cooldown('fam/b', T0 + 5_000, T0);
    await store.cooldown('fam/b', T0 + 2_000, T0 + 1);
    expect((await store.read(['fam/b'], T0 + 1_000))['fam/b']!.cooldownUntil).toBe(T0 + 5_000);
    await store.cooldown('fam/b', T0 + 9_000, T0 + 2);
    expect((await store.read(['fam/b'], T0 + 1_000))['fam/b']!.cooldownUntil).toBe(T0 + 9_000);
    expect((await store.read(['fam/b'], T0 + 9_001))['fam/b']!.cooldownUntil).toBeUndefined();
  });

  it('reads a family larger than one BatchGetItem (100 keys) in one parallel round trip', async () => {
    const store = new DynamoDbSharedStore(client, TABLE);
    const targets = Array.from({ length: 15 }, (_, i) => `big/t${i}`);
    await Promise.all(targets.map((t, i) => store.add(t, { rpm: i + 1 }, T0)));
    const usage = await store.read(targets, T0 + 1);
    expect(targets.map((t) => usage[t]!.used.rpm)).toEqual(targets.map((_, i) => i + 1));
  });

  it('reads exactly what the in-memory store reads (sub-windows, trailing sum, cooldown): the core sees one contract', async () => {
    const dynamo = new DynamoDbSharedStore(client, TABLE);
    const memory = new InMemorySharedStore();
    const writes: [number, Record<string, number>][] = [[0, { rpm: 1, tpm: 900 }], [4_000, { tpm: -300 }], [12_500, { rpm: 1, tpm: 1_200 }], [17_250, { tpm: 333, otpm: -40 }], [38_000, { rpm: 2, tpm: 2_500 }], [61_000, { rpm: 1, itpm: 700 }]];
    for (const [at, charge] of writes) await Promise.all([dynamo.add('same/t', charge, T0 + at), memory.add('same/t', charge, T0 + at)]);
    await Promise.all([dynamo.cooldown('same/t', T0 + 70_000, T0 + 61_000), memory.cooldown('same/t', T0 + 70_000, T0 + 61_000)]);
    for (const at of [1_000, 15_000, 60_000, 65_000, 75_000, 130_000]) {
      const [a, b] = await Promise.all([dynamo.read(['same/t'], T0 + at), memory.read(['same/t'], T0 + at)]);
      expect(a).toEqual(b);
    }
  });

  it('caps a cooldown at maxCooldownMs fleet-wide, and replaces or ignores one stored beyond any cap', async () => {
    const year = 31_536_000_000;
    for (const store of [new DynamoDbSharedStore(client, TABLE, { maxCooldownMs: 120_000 }), new InMemorySharedStore({ maxCooldownMs: 120_000 })]) {
      const key = `cap/${store.constructor.name}`;
      await store.cooldown(key, T0 + year, T0);
      expect((await store.read([key], T0 + 1_000))[key]!.cooldownUntil).toBe(T0 + 120_000);
      expect((await store.read([key], T0 + 120_000))[key]!.cooldownUntil).toBeUndefined();
    }
    // An item written before the cap existed (by a store without one) is not honoured, and a capped write replaces it.
    const legacy = new DynamoDbSharedStore(client, TABLE, { maxCooldownMs: year * 2 });
    const capped = new DynamoDbSharedStore(client, TABLE, { maxCooldownMs: 120_000 });
    await legacy.cooldown('cap/legacy', T0 + year, T0);
    expect((await capped.read(['cap/legacy'], T0 + 1_000))['cap/legacy']!.cooldownUntil).toBeUndefined();
    await capped.cooldown('cap/legacy', T0 + 5_000, T0 + 1_000);
    expect((await capped.read(['cap/legacy'], T0 + 1_000))['cap/legacy']!.cooldownUntil).toBe(T0 + 5_000);
    expect((await legacy.read(['cap/legacy'], T0 + 1_000))['cap/legacy']!.cooldownUntil).toBe(T0 + 5_000);
  });
});

describe('a shared provider quota through DynamoDB (dynalite)', () => {
  it('two router instances on one store: two families never take more than their shared quota together', async () => {
    const runs = fc.sample(fc.array(step, { minLength: 60, maxLength: 100 }), { numRuns: 4, seed: 12 });
    for (const [i, steps] of runs.entries()) {
      const store = new DynamoDbSharedStore(client, TABLE);
      // Each run in its own hour, so earlier runs' sub-windows are out of the trailing minute.
      const result = await providerRefusals(twoAppsConfig, steps, 2, store, 1_700_000_000_000 + i * 3_600_000);
      expect(result.refused).toBe(0);
      expect(result.admitted).toBeGreaterThan(0);
    }
  });
});
