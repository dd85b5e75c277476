/**
 * The plan events: one closed union, emitted in order by a plan's run from its claim to its final
 * folder. The journal is the first subscriber; the plan file, the logs, the vault audit, metrics, the
 * dashboard and the orchestrator's own MCP server subscribe to the same events (event-stream.ts), and
 * none rebuilds meaning from another's output. To add an end state or a field, change this file and
 * let the compiler point at every `switch` that must handle it.
 */
import type { FinalFolder } from '../vault/folders.js';
import type { ResolvedStep, ValidPlan } from '../plan/validated.js';
import type { FinalOutcome } from './plan-outcome.js';
import type { StepError } from '../core/errors.js';
import type { AttemptResult, StepOutcome } from './step-result.js';

/** Which plan an event is about. */
export interface PlanRef {
  /** The plan file's name in In_Progress/ (unique while it is there), or the file `run` was given. */
  readonly claim: string;
  /**
   * The approval this run belongs to (the file's `approval_id`): what the journal keys its records by,
   * the same when a human moves the file back, new for every other approval.
   */
  readonly approval: string;
  /** The plan's id: front-matter `id`, else the file name without `.md`. */
  readonly id: string;
  readonly approvedBy?: string;
}

interface Base {
  readonly plan: PlanRef;
  readonly at: Date;
}

export type PlanEvent =
  /**
   * Moved from Approved/ (as `from`) into In_Progress/; `hash` pins what was approved. `forgotten`: the
   * journal had lost what was sent for this approval before (its steps' outcomes are unknown for good).
   */
  | (Base & { readonly type: 'claimed'; readonly from: string; readonly hash: string; readonly forgotten?: true })
  /** Waiting for a free run slot (just claimed, due again after a deferral, or recovered at start). */
  | (Base & { readonly type: 'queued' })
  /** Validated; its steps start. `carried`: step indices that succeeded in an earlier run (never sent again). */
  | (Base & { readonly type: 'run_started'; readonly valid: ValidPlan; readonly carried: readonly number[] })
  /** `args` as sent: templates resolved, the idempotency key added. */
  | (Base & { readonly type: 'attempt_started'; readonly step: ResolvedStep; readonly attempt: number; readonly args: Readonly<Record<string, unknown>> })
  | (Base & {
      readonly type: 'attempt_ended';
      readonly step: ResolvedStep;
      readonly attempt: number;
      readonly args: Readonly<Record<string, unknown>>;
      readonly durationMs: number;
      readonly result: AttemptResult;
      /** Another attempt follows within this run. */
      readonly retrying: boolean;
    })
  | (Base & { readonly type: 'step_ended'; readonly step: ResolvedStep; readonly outcome: StepOutcome })
  /**
   * The plan waits in In_Progress/ until `retryAt` (rate limited, a server unavailable). `step`: the step
   * that was held back, absent when validation could not reach a server. `resumed`: a deferral recorded
   * before a restart, taken up again (already in the journal and the file).
   */
  | (Base & {
      readonly type: 'deferred';
      readonly retryAt: Date;
      readonly reason: string;
      readonly error?: StepError;
      readonly step?: ResolvedStep;
      readonly resumed?: true;
    })
  /** The plan's end; `folder` (daemon only) is where it goes next: durable before the move. */
  | (Base & { readonly type: 'plan_ended'; readonly outcome: FinalOutcome; readonly folder?: FinalFolder })
  /** Now in `path` (vault-relative). */
  | (Base & { readonly type: 'plan_moved'; readonly folder: FinalFolder; readonly path: string })
  /**
   * Left in In_Progress/: for the next start (shutdown), or, with `retryAt`, to be tried again then by
   * this daemon (trouble outside any call: a final folder not writable, a full disk).
   */
  | (Base & {
      readonly type: 'released';
      readonly reason: string;
      readonly retryAt?: Date;
      /** Let go for its next step's server, on another node (placement): the reason goes into its Execution Log. */
      readonly handedOver?: boolean;
    });

/** An event as an emitter is handed it: the emitter stamps the plan and the time. */
export type PlanEventDraft = PlanEvent extends infer E ? (E extends PlanEvent ? Omit<E, 'plan' | 'at'> : never) : never;

