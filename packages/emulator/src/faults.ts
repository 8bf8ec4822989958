import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from './clock';

const window = {
  /** Emulated ms after the emulator starts when the fault begins. @default 0 */
  startMs: z.number().nonnegative().optional(),
  /** How long it lasts, in emulated ms. @default forever */
  durationMs: z.number().positive().optional(),
  /** How many requests it hits before it is spent. @default unlimited */
  times: z.number().int().positive().optional(),
};

/** A scripted failure for one target. Times are on the emulated clock. */
export const faultSchema = z.discriminatedUnion('kind', [
  /** A provider-shaped 5xx (529 becomes Anthropic's overloaded_error; elsewhere 503). */
  z.strictObject({ kind: z.literal('error'), status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504), z.literal(529)]), ...window }),
  /** Accept the request and never answer, until the client gives up. */
  z.strictObject({ kind: z.literal('timeout'), ...window }),
  /** Destroy the connection once the request has arrived. */
  z.strictObject({ kind: z.literal('reset'), ...window }),
  /** Stretch the latency model (time to first token and per token) by `factor`. */
  z.strictObject({ kind: z.literal('slow'), factor: z.number().min(1).default(10), ...window }),
  /** Cut a stream after `afterTokens` output tokens by destroying the connection. */
  z.strictObject({ kind: z.literal('truncate-stream'), afterTokens: z.number().int().nonnegative().default(3), ...window }),
  /** Send unparseable rate-limit and retry-after header values. */
  z.strictObject({ kind: z.literal('malformed-headers'), ...window }),
  /** The region is unreachable: every connection is dropped on arrival. */
  z.strictObject({ kind: z.literal('dark'), ...window }),
]);

export type Fault = z.infer<typeof faultSchema>;
export type FaultKind = Fault['kind'];
export type FaultInput = z.input<typeof faultSchema>;

/** Faults per target key (`family/target`). */
export const faultsFileSchema = z.strictObject({ faults: z.record(z.string(), z.array(faultSchema)) });
export type FaultsFile = z.infer<typeof faultsFileSchema>;
export type FaultsByTarget = Record<string, readonly FaultInput[]>;

export class FaultsFileError extends Error {
  override readonly name = 'FaultsFileError';
  constructor(readonly file: string, readonly problems: readonly string[], options?: { cause?: unknown }) {
    super(`${file}: invalid faults file:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
  }
}

/** Parse and validate a faults file (JSON). Every problem is listed at once. */
export function parseFaultsFile(text: string, file = '<faults>'): FaultsByTarget {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new FaultsFileError(file, [`not JSON: ${(cause as Error).message}`], { cause });
  }
  const result = faultsFileSchema.safeParse(json);
  if (!result.success) {
    throw new FaultsFileError(file, result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return result.data.faults;
}

/** Read and validate a faults file (for `headroom emulate --faults file`). */
export function loadFaultsFile(path: string): FaultsByTarget {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new FaultsFileError(path, [`cannot read: ${(cause as Error).message}`], { cause });
  }
  return parseFaultsFile(text, path);
}

export class UnknownFaultTargetError extends Error {
  override readonly name = 'UnknownFaultTargetError';
  constructor(readonly received: readonly string[], readonly known: readonly string[]) {
    super(`faults name unknown targets ${received.join(', ')}; known targets: ${known.join(', ')}`);
  }
}

interface ScheduledFault {
  readonly fault: Fault;
  remaining: number;
}

/** The active faults per target, consumed as requests hit them. */
export class FaultBook {
  private byTarget = new Map<string, ScheduledFault[]>();

  constructor(
    private readonly clock: Clock,
    private readonly origin: number,
    private readonly knownTargets: readonly string[],
  ) {}

  /** Replace every scheduled fault. Windows are measured from the emulator's start. */
  set(faults: FaultsByTarget): void {
    const unknown = Object.keys(faults).filter((key) => !this.knownTargets.includes(key));
    if (unknown.length > 0) throw new UnknownFaultTargetError(unknown, this.knownTargets);
    const next = new Map<string, ScheduledFault[]>();
    for (const [key, list] of Object.entries(faults)) {
      const parsed = z.array(faultSchema).parse(list);
      next.set(key, parsed.map((fault) => ({ fault, remaining: fault.times ?? Infinity })));
    }
    this.byTarget = next;
  }

  /** The first active fault of one of `kinds` for `target`, spending one of its `times`. */
  take<K extends FaultKind>(target: string, kinds: readonly K[]): Extract<Fault, { kind: K }> | undefined {
    const elapsed = this.clock.now() - this.origin;
    for (const scheduled of this.byTarget.get(target) ?? []) {
      const { fault } = scheduled;
      if (!kinds.includes(fault.kind as K) || scheduled.remaining <= 0) continue;
      const start = fault.startMs ?? 0;
      if (elapsed < start || elapsed >= start + (fault.durationMs ?? Infinity)) continue;
      scheduled.remaining -= 1;
      return fault as Extract<Fault, { kind: K }>;
    }
    return undefined;
  }
}
