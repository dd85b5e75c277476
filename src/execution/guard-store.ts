/**
 * Where the guard keeps what it counts (SPEC §12): the breakers' states and the rate-limited calls. On
 * one host that is this process's memory and the ledger file (`localGuardStore`); with `cluster` it is
 * PostgreSQL (cluster/pg-guard-store.ts), so a limit counts every node's calls and a breaker opened on
 * one node holds the others back. The state machine stays in breaker.ts: a store only applies the
 * pure transitions it is handed, atomically.
 */
import { closedBreaker, type BreakerState } from './breaker.js';
import type { RateLedger, Reservation } from './rate-limit-ledger.js';
import { nextFreeSlot, type RateRule } from './rate-limit.js';

/** The breaker's next state when a call may go now; undefined when it is held back. */
export type BreakerDecision = (current: BreakerState) => BreakerState | undefined;

export type GuardVerdict =
  /** A rule had no room: nothing changed. `sent`: the send times still inside each rule's window. */
  | { readonly kind: 'full'; readonly sent: ReadonlyMap<string, readonly number[]> }
  /** The breaker held the call back: nothing counted. */
  | { readonly kind: 'held'; readonly breaker: BreakerState }
  /** Let through: the breaker moved from `before` to `after`, one call of each rule is counted. */
  | { readonly kind: 'admitted'; readonly before: BreakerState; readonly after: BreakerState; readonly reservation: Reservation };

export interface GuardStore {
  /** The server's breaker as last seen here (dashboard, tool listings): closed since first asked, before any news. */
  known(server: string): BreakerState;
  /**
   * One admission, atomically: when every rule has room at `atMs`, the breaker `decide`s; when it lets
   * the call go, one call of each rule is counted at `atMs`.
   */
  admit(server: string, rules: readonly RateRule[], atMs: number, decide: BreakerDecision): Promise<GuardVerdict>;
  /** The breaker after an outcome: `step` applied to its current state, atomically. */
  change(server: string, step: (current: BreakerState) => BreakerState): Promise<{ readonly before: BreakerState; readonly after: BreakerState }>;
}

/**
 * One host: breakers in memory (a restart closes them, lifting a latch), calls in the ledger. Every
 * call does its whole work synchronously before it returns, so no two plans can take the last slot
 * or the one probe.
 */
export function localGuardStore(ledger: RateLedger, now: () => Date): GuardStore {
  const breakers = new Map<string, BreakerState>();
  const current = (server: string): BreakerState => {
    let state = breakers.get(server);
    if (!state) {
      state = closedBreaker(now());
      breakers.set(server, state);
    }
    return state;
  };
  return {
    known: current,
    // Async only in name: no await, so each runs to its end before it returns.
    async admit(server, rules, atMs, decide) {
      const sent = new Map(rules.map((rule) => [rule.action, ledger.timesOf(rule.action, atMs)] as const));
      if (rules.some((rule) => nextFreeSlot(sent.get(rule.action) ?? [], rule, atMs) !== undefined)) return { kind: 'full', sent };
      const before = current(server);
      const after = decide(before);
      if (!after) return { kind: 'held', breaker: before };
      breakers.set(server, after);
      const reservation = ledger.reserve(rules.map((rule) => rule.action), atMs);
      return { kind: 'admitted', before, after, reservation };
    },
    async change(server, step) {
      const before = current(server);
      const after = step(before);
      breakers.set(server, after);
      return { before, after };
    },
  };
}
