/**
 * Rate limits per action (`actions.X.rateLimit: { max, per }`, issue 7), as pure functions over the
 * times calls were sent: a sliding window, so "10 per hour" holds over any hour, not per clock hour.
 *
 * A limit binds the action's server and tool, whichever way a step names them: a step that says
 * `server: email-server, tool: send_email` instead of `action: send_email` counts too, else the limit
 * could be walked around. Two limited actions on one tool both apply.
 */
import type { ActionConfig } from '../config/schema.js';
import { formatDuration } from '../core/duration.js';

export interface RateRule {
  /** The action whose limit this is; also its key in the durable ledger. */
  readonly action: string;
  readonly max: number;
  readonly perMs: number;
}

/** Rules by `server\u0000tool`. */
export type RateRules = ReadonlyMap<string, readonly RateRule[]>;

export function toolKey(server: string, tool: string): string {
  return `${server}\u0000${tool}`;
}

export function rateRulesFrom(actions: Readonly<Record<string, ActionConfig>>): RateRules {
  const rules = new Map<string, RateRule[]>();
  for (const [action, config] of Object.entries(actions)) {
    if (!config.rateLimit) continue;
    const key = toolKey(config.server, config.tool);
    const list = rules.get(key) ?? [];
    list.push({ action, max: config.rateLimit.max, perMs: config.rateLimit.per });
    rules.set(key, list);
  }
  return rules;
}

/** The times still inside the window ending at `nowMs` (a time in the future, after a clock step back, counts). */
export function inWindow(times: readonly number[], perMs: number, nowMs: number): number[] {
  return times.filter((t) => nowMs - t < perMs);
}

/** When the next call may be sent under `rule`: undefined when a slot is free now. */
export function nextFreeSlot(times: readonly number[], rule: RateRule, nowMs: number): number | undefined {
  const recent = inWindow(times, rule.perMs, nowMs).sort((a, b) => a - b);
  if (recent.length < rule.max) return undefined;
  // Enough of the oldest calls must leave the window to bring the count below `max`.
  const freeing = recent[recent.length - rule.max] as number;
  return freeing + rule.perMs;
}

/** "2 per 1h" for people. */
export function describeRule(rule: RateRule): string {
  return `${rule.max} per ${formatDuration(rule.perMs)}`;
}
