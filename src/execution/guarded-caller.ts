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
import { messageOf } from '../mcp/errors.js';
import type { ToolCall, ToolCaller } from '../mcp/pool.js';
import type { ServerTools, ToolCatalog, ToolInfo } from '../plan/validated.js';
import {
  admitCall,
  breakerSignalOf,
  breakerView,
  closedBreaker,
  recordOutcome,
  type BreakerSettings,
  type BreakerSignal,
  type BreakerState,
  type BreakerView,
} from './breaker.js';
import type { Admission, CallGuard, CallTarget } from './call-guard.js';
import { classifyError, classifyResult } from './classify.js';
import { HeldBackError, type StepError } from '../core/errors.js';
import type { RateLedger } from './rate-limit-ledger.js';
import { describeRule, nextFreeSlot, toolKey, type RateRule, type RateRules } from './rate-limit.js';

export interface GuardedInner extends ToolCaller {
  listTools(server: string, signal?: AbortSignal): Promise<ToolInfo[]>;
}

export interface GuardedCallerOptions {
  readonly inner: GuardedInner;
  /** The enabled servers; a catalog lists only these, as McpPool.catalog does. */
  readonly servers: Iterable<string>;
  readonly breaker: BreakerSettings;
  readonly rateRules: RateRules;
  readonly ledger: RateLedger;
  readonly now: () => Date;
  /** A latched breaker has no probe time: its plans look again after this long. */
  readonly latchedRetryMs: number;
  /** A breaker changed (state, failures, last error): dashboards and alerts listen. */
  readonly onChange?: (server: string, view: BreakerView) => void;
}

export class GuardedCaller implements ToolCaller, CallGuard {
  private readonly breakers = new Map<string, BreakerState>();
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

  admit(target: CallTarget): Admission {
    const now = this.options.now();
    const rules = this.options.rateRules.get(toolKey(target.server, target.tool)) ?? [];
    const limited = this.rateLimited(rules, now.getTime());
    if (limited) return { ok: false, error: limited };
    const admission = admitCall(this.state(target.server), this.options.breaker, now);
    if (!admission.allowed) {
      const retryAt = admission.retryAt ?? new Date(now.getTime() + this.options.latchedRetryMs);
      return { ok: false, error: new HeldBackError('breaker', this.describeBlocked(target.server, retryAt), retryAt) };
    }
    this.update(target.server, admission.next);
    const reservation = this.options.ledger.reserve(
      rules.map((rule) => rule.action),
      now.getTime(),
    );
    const probe = admission.probe;
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
            this.observe(target.server, 'neutral', undefined, probe);
            throw error;
          }
          return this.send(call, probe);
        },
        release: () => {
          if (used) return;
          used = true;
          reservation.cancel();
          this.observe(target.server, 'neutral', undefined, probe);
        },
      },
    };
  }

  /** The decorator contract for plain callers: a held-back call throws HeldBackError. */
  async callTool(call: ToolCall): Promise<CallToolResult> {
    const admission = this.admit(call);
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
      if (verdict !== 'success' && !signal?.aborted) this.observe(name, verdict, error, false);
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
      this.observe(call.server, call.signal?.aborted ? 'neutral' : breakerSignalOf(error), error, probe);
      throw thrown;
    }
    const error = classifyResult(result);
    this.observe(call.server, breakerSignalOf(error), error, probe);
    return result;
  }

  private observe(server: string, verdict: BreakerSignal, error: StepError | undefined, probe: boolean): void {
    if (verdict === 'neutral' && !probe) return;
    this.update(server, recordOutcome(this.state(server), verdict, error, this.options.breaker, this.options.now()));
  }

  private rateLimited(rules: readonly RateRule[], nowMs: number): HeldBackError | undefined {
    let worst: { rule: RateRule; at: number } | undefined;
    for (const rule of rules) {
      const sent = this.options.ledger.timesOf(rule.action, nowMs);
      if (nextFreeSlot(sent, rule, nowMs) === undefined) continue;
      const promised = (this.promised.get(rule.action) ?? []).filter((t) => t > nowMs);
      this.promised.set(rule.action, promised);
      const at = nextFreeSlot([...sent, ...promised], rule, nowMs) as number;
      if (!worst || at > worst.at) worst = { rule, at };
    }
    if (!worst) return undefined;
    for (const rule of rules) this.promised.get(rule.action)?.push(worst.at);
    const retryAt = new Date(worst.at);
    const limit = `rate limit of ${worst.rule.action} reached (${describeRule(worst.rule)})`;
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
    let state = this.breakers.get(server);
    if (!state) {
      state = closedBreaker(this.options.now());
      this.breakers.set(server, state);
    }
    return state;
  }

  private update(server: string, next: BreakerState): void {
    const previous = this.state(server);
    this.breakers.set(server, next);
    const changed =
      previous.state !== next.state ||
      previous.latched !== next.latched ||
      previous.consecutiveFailures !== next.consecutiveFailures ||
      previous.lastError !== next.lastError;
    if (changed) this.options.onChange?.(server, breakerView(next, this.options.breaker));
  }
}
