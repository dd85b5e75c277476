/**
 * A plan as parsed from its markdown file (SPEC §5). Pure data: nothing here knows about servers
 * beyond the names the plan itself uses.
 */

export type PlanShape = 'single_action' | 'checklist' | 'front_matter_steps';
export type PlanMode = 'sequential' | 'parallel';

/** Where a problem is, so the message can name it. */
export interface Location {
  /** The plan file, as given (basename or path). */
  readonly file?: string;
  /** 1-based step number, when the problem belongs to a step. */
  readonly step?: number;
  /** 1-based line in the plan file, when known. */
  readonly line?: number;
}

/** One problem found while parsing or validating. `code` is stable; `message` says what and how to fix. */
export interface PlanProblem extends Location {
  readonly code: PlanProblemCode;
  readonly message: string;
}

export type PlanProblemCode =
  | 'not_utf8'
  | 'too_large'
  | 'front_matter' // malformed, non-YAML engine, not a mapping
  | 'no_steps'
  | 'step_syntax' // a step's yaml/json block or sub-bullets are malformed
  | 'duplicate_step_id'
  | 'unknown_dependency'
  | 'dependency_cycle'
  | 'bad_template'
  | 'unknown_action'
  | 'unknown_server'
  | 'unknown_tool'
  | 'invalid_arguments'
  | 'server_unavailable'
  | 'expired'
  | 'bad_expires'
  | 'refused_status'
  | 'not_approved_action'
  | 'manual_step_strict'
  | 'unknown_argument' // a name the tool's inputSchema does not declare
  | 'bad_field';

/** What every step has. */
interface StepBase {
  /** 1-based position among the plan's steps (manual and done ones included). */
  readonly index: number;
  /** Explicit `id`, else `step<index>`. */
  readonly id: string;
  /** The checklist text, or the action name for shapes without text. */
  readonly text: string;
  /** Already ticked `- [x]` in the file: skipped. */
  readonly done: boolean;
  /** 1-based line of the checklist item (`- [ ] …`), for ticking it. */
  readonly line?: number;
}

/** A step whose action (or server+tool) is known. */
export interface ActionStep extends StepBase {
  readonly kind: 'action';
  readonly action?: string;
  readonly server?: string;
  readonly tool?: string;
  /** The tool's arguments, templates unresolved. */
  readonly args: Readonly<Record<string, unknown>>;
  readonly dependsOn: readonly string[];
  readonly timeoutMs?: number;
  readonly retries?: number;
  readonly idempotencyKey?: string;
  /** The keyword its free text matched, when the action came from the text rather than from fields. */
  readonly matched?: string;
}

/** Free text that matched no action: reported, left unchecked. */
export interface ManualStep extends StepBase {
  readonly kind: 'manual';
}

export type Step = ActionStep | ManualStep;

export interface Plan {
  /** Front-matter `id`, else the file name without `.md`. */
  readonly id: string;
  readonly file: string;
  readonly shape: PlanShape;
  readonly mode?: PlanMode;
  /** The raw `expires` value; validation interprets it (no zone = local time). */
  readonly expires?: string;
  readonly approvedBy?: string;
  readonly approvedAt?: string;
  readonly approvedActions?: readonly string[];
  readonly status?: string;
  /**
   * The daemon's stamp (`approval_id`), written at the first claim: the file is still that approval when
   * a human moves it back; a plan without one is a new approval.
   */
  readonly approvalId?: string;
  /** The whole front matter, for `{{ plan.FIELD }}`. */
  readonly frontMatter: Readonly<Record<string, unknown>>;
  readonly steps: readonly Step[];
  /** 1-based line where the body starts in the text it was parsed from: step lines shift with it. */
  readonly bodyLine: number;
}

export type ParseResult =
  | { readonly ok: true; readonly plan: Plan }
  /**
   * `plan`: what could be read, when the front matter could: the steps that parsed (a broken one is left
   * out, the others keep their numbers), so validation can report their problems too. Never to be run.
   */
  | { readonly ok: false; readonly problems: readonly PlanProblem[]; readonly plan?: Plan };
