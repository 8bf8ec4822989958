/**
 * The deadlines of one upstream attempt (`routing.timeouts`), and the client's disconnect, behind one
 * AbortSignal that fetch and the body reader obey. Whichever ends the attempt first is its `reason`.
 */
import type { ResolvedTimeouts } from '@headroom/plan/runtime';
import type { Timers, TimerHandle } from './timers';

export type DeadlineKind = keyof ResolvedTimeouts;
/** What ended the attempt: one of the timeouts, or the client going away. */
export type EndReason = DeadlineKind | 'client';

/** The abort reason fetch and the body reader reject with. */
export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
  constructor(readonly reason: EndReason, readonly ms?: number) {
    super(reason === 'client' ? 'the client went away' : `the upstream exceeded routing.timeouts.${reason} (${ms} ms)`);
  }
}

export class AttemptDeadline {
  private readonly controller = new AbortController();
  private readonly handles = new Map<DeadlineKind, TimerHandle>();
  private ended: DeadlineError | undefined;
  private readonly onClientAbort: () => void;

  constructor(private readonly timers: Timers, private readonly timeouts: ResolvedTimeouts, private readonly client?: AbortSignal) {
    // An AbortSignal.timeout() is the caller's own deadline, not a departed client.
    this.onClientAbort = () => (isTimeoutReason(client?.reason) ? this.fire('totalMs') : this.fire('client'));
    if (client?.aborted) this.onClientAbort();
    else client?.addEventListener('abort', this.onClientAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Set when the attempt was ended by a deadline or the client; undefined while it runs or after it finished on its own. */
  get reason(): EndReason | undefined {
    return this.ended?.reason;
  }

  get error(): DeadlineError | undefined {
    return this.ended;
  }

  /** Start (or restart) one deadline from now. */
  arm(kind: DeadlineKind): void {
    if (this.ended) return;
    this.disarm(kind);
    const ms = this.timeouts[kind];
    this.handles.set(kind, this.timers.setTimeout(() => this.fire(kind), ms));
  }

  disarm(kind: DeadlineKind): void {
    const handle = this.handles.get(kind);
    if (handle === undefined) return;
    this.timers.clearTimeout(handle);
    this.handles.delete(kind);
  }

  /** The attempt is over: no timer and no listener outlives it. */
  dispose(): void {
    for (const kind of [...this.handles.keys()]) this.disarm(kind);
    this.client?.removeEventListener('abort', this.onClientAbort);
  }

  private fire(reason: EndReason): void {
    if (this.ended) return;
    this.ended = new DeadlineError(reason, reason === 'client' ? undefined : this.timeouts[reason]);
    this.dispose();
    this.controller.abort(this.ended);
  }
}

/** `AbortSignal.timeout()` aborts with a DOMException named TimeoutError (not always an `Error` across realms). */
function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}
