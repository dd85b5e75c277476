/**
 * The plan file as a subscriber of the plan events (SPEC §5): `status` and its companions, a tick per
 * succeeded step and one Execution Log line per attempt. Progress is written in the background (the
 * journal, not this file, is what recovery trusts); the start, a deferral, the end and a release are
 * awaited, so the file says where the plan stands before its steps are sent, it waits, moves or the
 * daemon stops.
 */
import { formatLocalDateTime } from '../core/text.js';
import type { Subscriber } from '../events/event-stream.js';
import type { PlanEvent, PlanRef } from '../events/plan-event.js';
import { isDeduplicated } from '../events/step-result.js';
import { formatExecutionLogLine } from '../plan/execution-log.js';
import { formatProblem } from '../plan/problems.js';
import type { ResolvedStep, ValidPlan } from '../plan/validated.js';
import type { StepLocation } from '../plan/ticks.js';
import { diskPlanFile, PlanFileWriter, type PlanChange } from './plan-file.js';
import { unreachable } from '../core/errors.js';

interface OpenFile {
  readonly writer: PlanFileWriter;
  /** From the parse this run started with: where the steps' lines are counted from. */
  readonly bodyLine: number;
  readonly stepsInBody: boolean;
}

/** `pathOf`: the plan file's path (In_Progress/<claim> for the daemon, the given file for `run`). */
export function planFileSubscriber(pathOf: (plan: PlanRef) => string): Subscriber {
  return planFileSink(pathOf).subscriber;
}

interface PlanFileSink {
  readonly subscriber: Subscriber;
  /**
   * Appends lines to the Execution Log of a plan whose run this sink follows (running or deferred),
   * through the same writer as the run's own progress, so neither overwrites the other. False when the
   * plan is not followed (not claimed, or past its end: its file is about to move or has moved).
   */
  appendLog(claim: string, lines: readonly string[]): Promise<boolean>;
}

export function planFileSink(pathOf: (plan: PlanRef) => string): PlanFileSink {
  const open = new Map<string, OpenFile>();
  const writerOf = (plan: PlanRef): PlanFileWriter => open.get(plan.claim)?.writer ?? new PlanFileWriter(diskPlanFile(pathOf(plan)));
  const fileOf = (plan: PlanRef): OpenFile => {
    let file = open.get(plan.claim);
    if (!file) {
      file = { writer: writerOf(plan), bodyLine: 1, stepsInBody: true };
      open.set(plan.claim, file);
    }
    return file;
  };
  /** Progress: the step goes on while the file catches up; a failure here shows again at the end. */
  const inBackground = (file: OpenFile, change: PlanChange): undefined => {
    void file.writer.update({ ...change, stepsInBody: file.stepsInBody }).catch(() => undefined);
    return undefined;
  };
  const awaited = (file: OpenFile, change: PlanChange): Promise<void> => file.writer.update({ ...change, stepsInBody: file.stepsInBody });

  const subscriber = (event: PlanEvent): void | Promise<void> => {
    const at = event.at.toISOString();
    switch (event.type) {
      case 'run_started': {
        const file: OpenFile = {
          writer: writerOf(event.plan),
          bodyLine: event.valid.plan.bodyLine,
          stepsInBody: event.valid.plan.shape === 'checklist',
        };
        open.set(event.plan.claim, file);
        // A crash can fall between a step's recorded success and its tick: tick those now. Awaited: a
        // file that says `in_progress` is how a copy of it (or a journal lost) later tells that steps
        // may have been sent, so it must say so before the first one is.
        const ticks = carriedSteps(event.valid, event.carried).flatMap((step) => locationOf(step, file));
        return awaited(file, { fields: { status: 'in_progress', error: null, failed_at: null, retry_at: null }, ticks }).catch(() => undefined);
      }
      case 'attempt_ended': {
        const file = fileOf(event.plan);
        const { step, result } = event;
        const outcome = result.ok ? (isDeduplicated(result.result) ? 'deduplicated (sent before, nothing sent again)' : 'success') : event.retrying ? `${result.error.type}, retrying` : result.error.type;
        const line = formatExecutionLogLine({
          at: event.at,
          server: step.server,
          tool: step.tool,
          step: step.index,
          attempt: event.attempt,
          outcome,
          durationMs: event.durationMs,
          detail: result.ok ? result.result.text : result.error.message,
        });
        return inBackground(file, { logLines: [line], ...(result.ok ? { ticks: locationOf(step, file) } : {}) });
      }
      case 'deferred':
        if (event.resumed) return undefined;
        return awaited(fileOf(event.plan), { fields: { status: 'deferred', retry_at: event.retryAt.toISOString(), error: event.reason } });
      case 'plan_ended': {
        const file = fileOf(event.plan);
        open.delete(event.plan.claim);
        const { outcome } = event;
        switch (outcome.kind) {
          case 'completed':
            return awaited(file, { fields: { status: 'completed', completed_at: at, error: null, retry_at: null } });
          case 'failed':
            return awaited(file, {
              fields: { status: outcome.cancelled ? 'cancelled' : 'failed', failed_at: at, error: outcome.reason },
              logLines: (outcome.problems ?? []).map((problem) => `- ${formatProblem(problem)}`),
            });
          case 'needs_review':
            return awaited(file, { fields: { status: 'needs_review', failed_at: at, error: outcome.reason } });
          default:
            unreachable(outcome, 'plan end');
        }
      }
      case 'released': {
        const file = open.get(event.plan.claim);
        const writer = writerOf(event.plan);
        open.delete(event.plan.claim);
        // Whatever progress is still being written reaches the file before the daemon lets go of it;
        // a plan that waits for its trouble to pass says until when (its status stays what it was).
        const waits = event.retryAt ? { fields: { retry_at: event.retryAt.toISOString(), error: event.reason } } : {};
        // Handed over to another node: its owner till now says so, the next owner writes from then on.
        const handOff = event.handedOver ? { logLines: [`- ${formatLocalDateTime(event.at)} ${event.reason}`], stepsInBody: file?.stepsInBody ?? true } : {};
        return writer.update({ ...waits, ...handOff }).catch(() => undefined);
      }
      case 'claimed':
      case 'queued':
      case 'attempt_started':
      case 'step_ended':
      case 'plan_moved':
        return undefined;
      default:
        unreachable(event, 'plan event');
    }
  };
  const appendLog = async (claim: string, lines: readonly string[]): Promise<boolean> => {
    const file = open.get(claim);
    if (!file) return false;
    await file.writer.update({ logLines: lines, stepsInBody: file.stepsInBody });
    return true;
  };
  return { subscriber, appendLog };
}

function carriedSteps(valid: ValidPlan, carried: readonly number[]): ResolvedStep[] {
  const indices = new Set(carried);
  return valid.steps.filter((step) => indices.has(step.index));
}

function locationOf(step: ResolvedStep, file: OpenFile): StepLocation[] {
  return step.line === undefined ? [] : [{ line: step.line, text: step.text, bodyLine: file.bodyLine }];
}
