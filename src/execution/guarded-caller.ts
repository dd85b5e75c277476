/**
 * A ToolCaller decorator that guards the pool (issue 7): a circuit breaker per server and the actions'
 * rate limits. A call it holds back is never sent: it fails with HeldBackError, which defers the plan
 * without spending an attempt. The pool stays transport-only; failures are classified by classify.ts.
 *
 * Tool listings (validation) are watched too: a listing that cannot reach the server counts as a
 * failure, so a server that will not even start opens its breaker (and raises the "down" alert). A
 * listing's success proves nothing (it is usually cached), so it neither closes the breaker nor takes
 * the probe; nor is a listing held back by an open breaker (a cached one costs the server nothing,
 * and a plan must validate to reach its steps, which ARE held back until the probe time). Only a
 * latched breaker (credentials rejected) refuses listings too: nothing could come of asking.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { messageOf } from '../core/text.js';
import type { McpPool, ToolCall, ToolCaller } from '../mcp/pool.js';
import type { ServerTools, ToolCatalog } from '../plan/validated.js';
import { admitCall, breakerSignalOf, breakerView, recordOutcome, type BreakerSettings, type BreakerSignal, type BreakerState, type BreakerView } from './breaker.js';
import type { Admission, CallGuard, CallTarget } from './call-guard.js';
import { classifyError, classifyResult } from './classify.js';
import { HeldBackError, type StepError } from '../core/errors.js';
import type { GuardStore, GuardVerdict } from './guard-store.js';
import { describeRule, nextFreeSlot, toolKey, type RateRule, type RateRules } from './rate-limit.js';

interface GuardedCallerOptions {
  readonly inner: Pick<McpPool, 'callTool' | 'listTools'>;
  /** The enabled servers; a catalog lists only these, as McpPool.catalog does. */
  readonly servers: Iterable<string>;
  readonly breaker: BreakerSettings;
  readonly rateRules: RateRules;
  /** Where breakers and counted calls live: memory and the ledger file (one host, `localGuardStore`), or a cluster's database. */
  readonly store: GuardStore;
  readonly now: () => Date;
  /** A latched breaker has no probe time: its plans look again after this long. */
  readonly latchedRetryMs: number;
  /** A breaker changed (state, failures, last error): dashboards and alerts listen. */
  readonly onChange?: (server: string, view: BreakerView) => void;
}

export class GuardedCaller implements ToolCaller, CallGuard {
  /**
   * Future slots already handed out to deferred plans, by action. A plan held back is given the first
   * slot not yet promised, so held-back plans come back one slot after another instead of all waking
   * at the same free slot and all but one being deferred again. Admission itself looks only at calls
   * really sent: that alone keeps the limit, and a plan that comes back a little late is not punished.
   */
  private readonly promised = new Map<string, number[]>();
  private readonly enabled: ReadonlySet<string>;

  constructor(private readonly options: GuardedCallerOptions) {
    this.enabled = new Set(options.servers);
  }

  /** The local store decides within this call's first synchronous part; a shared one in one database transaction. */
  async admit(target: CallTarget): Promise<Admission> {
    const now = this.options.now();
    const rules = this.options.rateRules.get(toolKey(target.server, target.tool)) ?? [];
    const previous = this.state(target.server);
    const decide = (s: BreakerState): BreakerState | undefined => {
      const admission = admitCall(s, this.options.breaker, now);
      return admission.allowed ? admission.next : undefined;
    };
    let verdict: GuardVerdict;
    try {
      verdict = await this.options.store.admit(target.server, rules, now.getTime(), decide);
    } catch (error) {
      // The shared store cannot be asked (database down): a wait, never a call sent unchecked; a short
      // one, as a database restart takes seconds.
      const retryAt = new Date(now.getTime() + Math.min(this.options.latchedRetryMs, 5_000));
      const why = `cannot check the breaker and rate limits of server "${target.server}" (${messageOf(error)}); not sent; trying again at ${retryAt.toISOString()}`;
      return { ok: false, error: new HeldBackError('breaker', why, retryAt) };
    }
    if (verdict.kind === 'full') return { ok: false, error: this.rateLimited(rules, verdict.sent, now.getTime()) };
    if (verdict.kind === 'held') {
      this.noteChange(target.server, previous, verdict.breaker);
      const refused = admitCall(verdict.breaker, this.options.breaker, now);
      const retryAt = (!refused.allowed ? refused.retryAt : undefined) ?? new Date(now.getTime() + this.options.latchedRetryMs);
      return { ok: false, error: new HeldBackError('breaker', this.describeBlocked(target.server, retryAt), retryAt) };
    }
    this.noteChange(target.server, previous, verdict.after);
    const { reservation } = verdict;
    const probe = !verdict.before.probing && verdict.after.probing;
    let used = false;
    return {
      ok: true,
      permit: {
        call: async (call) => {
          if (used) throw new Error('a call permit is good for one call');
          used = true;
          try {
            await reservation.commit(); // on disk before the request leaves: the limit survives a crash
          } catch (error) {
            await this.observe(target.server, 'neutral', undefined, probe);
            throw error;
          }
          return this.send(call, probe);
        },
        release: () => {
          if (used) return;
          used = true;
          reservation.cancel();
          void this.observe(target.server, 'neutral', undefined, probe);
        },
      },
    };
  }

  /** The decorator contract for plain callers: a held-back call throws HeldBackError. */
  async callTool(call: ToolCall): Promise<CallToolResult> {
    const admission = await this.admit(call);
    if (!admission.ok) throw admission.error;
    return admission.permit.call(call);
  }

  async catalog(servers: Iterable<string>, signal?: AbortSignal): Promise<ToolCatalog> {
    const names = [...new Set(servers)].filter((name) => this.enabled.has(name));
    const entries = await Promise.all(names.map(async (name): Promise<[string, ServerTools]> => [name, await this.list(name, signal)]));
    return new Map(entries);
  }

  /** Every enabled server's breaker, for the dashboard and the `servers` command. */
  breakerStates(): Record<string, BreakerView> {
    return Object.fromEntries([...this.enabled].map((name) => [name, breakerView(this.state(name), this.options.breaker)]));
  }

  private async list(name: string, signal: AbortSignal | undefined): Promise<ServerTools> {
    if (this.state(name).latched) {
      const retryAt = new Date(this.options.now().getTime() + this.options.latchedRetryMs);
      return { ok: false, error: this.describeBlocked(name, retryAt) };
    }
    try {
      const tools = await this.options.inner.listTools(name, signal);
      return { ok: true, tools: new Map(tools.map((tool) => [tool.name, tool])) };
    } catch (thrown) {
      const error = classifyError(thrown);
      const verdict = breakerSignalOf(error);
      if (verdict !== 'success' && !signal?.aborted) await this.observe(name, verdict, error, false);
      return { ok: false, error: messageOf(thrown) };
    }
  }

  private async send(call: ToolCall, probe: boolean): Promise<CallToolResult> {
    let result: CallToolResult;
    try {
      result = await this.options.inner.callTool(call);
    } catch (thrown) {
      const error = classifyError(thrown);
      // Cancelled by our own shutdown: says nothing about the server.
      await this.observe(call.server, call.signal?.aborted ? 'neutral' : breakerSignalOf(error), error, probe);
      throw thrown;
    }
    const error = classifyResult(result);
    await this.observe(call.server, breakerSignalOf(error), error, probe);
    return result;
  }

  /**
   * The breaker hears an outcome. Never throws: a shared store that cannot record it leaves the state as
   * the database has it (a probe left taken is read as given back after a while, pg-guard-store.ts).
   */
  private async observe(server: string, verdict: BreakerSignal, error: StepError | undefined, probe: boolean): Promise<void> {
    if (verdict === 'neutral' && !probe) return;
    const previous = this.state(server);
    const now = this.options.now();
    try {
      const { after } = await this.options.store.change(server, (s) => recordOutcome(s, verdict, error, this.options.breaker, now));
      this.noteChange(server, previous, after);
    } catch {
      /* the database is down: the next admission is held back until it is reachable */
    }
  }

  private rateLimited(rules: readonly RateRule[], sent: ReadonlyMap<string, readonly number[]>, nowMs: number): HeldBackError {
    let worst: { rule: RateRule; at: number } | undefined;
    for (const rule of rules) {
      const times = sent.get(rule.action) ?? [];
      if (nextFreeSlot(times, rule, nowMs) === undefined) continue;
      const promised = (this.promised.get(rule.action) ?? []).filter((t) => t > nowMs);
      this.promised.set(rule.action, promised);
      const at = nextFreeSlot([...times, ...promised], rule, nowMs) as number;
      if (!worst || at > worst.at) worst = { rule, at };
    }
    // The store found a window full: `worst` is set (a rule's window is read the same way there).
    const { rule, at } = worst ?? { rule: rules[0] as RateRule, at: nowMs + 1_000 };
    for (const each of rules) this.promised.get(each.action)?.push(at);
    const retryAt = new Date(at);
    const limit = `rate limit of ${rule.action} reached (${describeRule(rule)})`;
    return new HeldBackError('rate_limit', `${limit}; not sent; next free slot at ${retryAt.toISOString()}`, retryAt);
  }

  private describeBlocked(server: string, retryAt: Date): string {
    const s = this.state(server);
    const last = s.lastError ? ` (last error: ${s.lastError.type}: ${s.lastError.message})` : '';
    const at = retryAt.toISOString();
    if (s.latched) {
      return (
        `server "${server}" rejected our credentials${last}; ` +
        'no call is sent to it until the daemon restarts with corrected configuration or credentials'
      );
    }
    if (s.state === 'half-open') return `server "${server}" is being probed after failures; not sent; trying again at ${at}`;
    const open = `circuit breaker of server "${server}" is open after ${s.consecutiveFailures} consecutive failures`;
    return `${open}${last}; not sent; next probe at ${at}`;
  }

  private state(server: string): BreakerState {
    return this.options.store.known(server);
  }

  /** Dashboards and alerts hear of a change in state, failures or last error. */
  private noteChange(server: string, previous: BreakerState, next: BreakerState): void {
    const changed =
      previous.state !== next.state ||
      previous.latched !== next.latched ||
      previous.consecutiveFailures !== next.consecutiveFailures ||
      previous.lastError?.at.getTime() !== next.lastError?.at.getTime() ||
      previous.lastError?.message !== next.lastError?.message;
    if (changed) this.options.onChange?.(server, breakerView(next, this.options.breaker));
  }
}
