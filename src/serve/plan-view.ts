/**
 * A plan as `get_plan` shows it: its steps, each with its outcome, attempts and short result, read back
 * from what the daemon wrote into the file (ticks and `## Execution Log` lines, plan/execution-log.ts),
 * and made richer by the daemon's live events when the server runs inside the daemon (live-plans.ts).
 * Pure.
 */
import { z } from 'zod';
import type { Config } from '../config/schema.js';
import { cut } from '../core/text.js';
import { readExecutionLog } from '../plan/execution-log.js';
import { parsePlan } from '../plan/parse.js';
import { formatProblem } from '../plan/problems.js';
import type { LivePlan } from './live-plans.js';

const STEP_OUTCOMES = ['pending', 'running', 'retrying', 'succeeded', 'failed', 'needs_review', 'deferred', 'manual'] as const;
export type StepOutcomeName = (typeof STEP_OUTCOMES)[number];

/** One step as get_plan shows it; `result` is the short text of a success, `error` the last error. */
export const stepShape = z.object({
  index: z.number().int(),
  id: z.string(),
  text: z.string(),
  server: z.string().optional(),
  tool: z.string().optional(),
  action: z.string().optional(),
  outcome: z.enum(STEP_OUTCOMES),
  attempts: z.number().int(),
  result: z.string().optional(),
  error: z.string().optional(),
});
export type StepView = z.infer<typeof stepShape>;

export interface PlanDetails {
  readonly steps: readonly StepView[];
  readonly log: readonly string[];
  /** Why the file could not be read as a plan, if it could not. */
  readonly problems: readonly string[];
}

/** Texts, results and errors in a step's view are cut to this many characters. */
export const SHORT = 300;
const LOG_LINES_KEPT = 200;
/** `- 2026-02-16 14:20:31 step 2 email-server.send_email attempt 1: success (412 ms) — Sent <id>` */
const LOG_LINE = /^- \S+ \S+ step (\d+) (\S+) attempt (\d+): (.+?) \((\d+) ms\)(?: — (.*))?$/;

export function planDetails(text: string, file: string, actions: Config['actions'], status?: string): PlanDetails {
  const log = executionLog(text);
  const parsed = parsePlan(text, file, actions);
  if (!parsed.ok) return { steps: [], log, problems: parsed.problems.map(formatProblem) };
  const attempts = new Map<number, { attempts: number; outcome: string; detail?: string }>();
  for (const line of log) {
    const match = LOG_LINE.exec(line);
    if (!match) continue;
    const index = Number(match[1]);
    attempts.set(index, { attempts: Number(match[3]), outcome: match[4] as string, ...(match[6] !== undefined ? { detail: match[6] } : {}) });
  }
  const steps = parsed.plan.steps.map((step): StepView => {
    const base = { index: step.index, id: step.id, text: cut(step.text, SHORT) };
    if (step.kind === 'manual') return { ...base, outcome: step.done ? 'succeeded' : 'manual', attempts: 0 };
    // A step that names an action runs its configured server.tool.
    const configured = step.action !== undefined ? actions[step.action] : undefined;
    const server = step.server ?? configured?.server;
    const tool = step.tool ?? configured?.tool;
    const named = {
      ...base,
      ...(step.action !== undefined ? { action: step.action } : {}),
      ...(server !== undefined ? { server } : {}),
      ...(tool !== undefined ? { tool } : {}),
    };
    const last = attempts.get(step.index);
    if (!last) return { ...named, outcome: step.done ? 'succeeded' : 'pending', attempts: 0 };
    const detail = last.detail !== undefined ? cut(last.detail, SHORT) : undefined;
    const outcome = outcomeOf(last.outcome, step.done, status);
    return {
      ...named,
      outcome,
      attempts: last.attempts,
      ...(detail !== undefined ? (outcome === 'succeeded' ? { result: detail } : { error: `${last.outcome}: ${detail}` }) : {}),
    };
  });
  return { steps, log, problems: [] };
}

/** The step's state from its last log line's outcome (`success`, `deduplicated (…)`, `timeout, retrying`, `tool_error`). */
function outcomeOf(outcome: string, ticked: boolean, status: string | undefined): StepOutcomeName {
  // A deduplicated answer is the server's word that the first send went out: the step succeeded.
  if (ticked || outcome === 'success' || outcome.startsWith('deduplicated')) return 'succeeded';
  if (outcome.endsWith(', retrying')) return 'retrying';
  if (status === 'needs_review' || status === 'deferred') return status;
  return 'failed';
}

/** The Execution Log's lines that say something, at most the last 200. */
function executionLog(text: string): string[] {
  return readExecutionLog(text)
    .filter((line) => line.trim() !== '')
    .map((line) => cut(line, 500))
    .slice(-LOG_LINES_KEPT);
}

/** The file's view with what the daemon's events know better: outcomes as they happen, full attempt counts. */
export function withLive(details: PlanDetails, live: LivePlan | undefined): PlanDetails {
  if (!live) return details;
  // The live view's results and errors are cut to SHORT already, where its events were heard.
  return { ...details, steps: details.steps.map((step) => ({ ...step, ...live.steps.get(step.index) })) };
}

/** Steps whose run is over for now (done, failed, held back): what progress counts. */
export function finishedSteps(steps: readonly StepView[]): StepView[] {
  return steps.filter((step) => ['succeeded', 'failed', 'needs_review', 'deferred'].includes(step.outcome));
}
