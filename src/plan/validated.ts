/**
 * What validation hands to the executor: every step resolved to a server and tool, with its budget.
 * Pure data, produced by `validatePlan` (validate.ts).
 */
import type { PlanMode, Plan, ManualStep, Step, PlanProblem } from './types.js';

/** A tool as `tools/list` reported it; only what validation needs. */
export interface ToolInfo {
  readonly name: string;
  readonly inputSchema: Readonly<Record<string, unknown>>;
  /** What its `structuredContent` holds, when the tool publishes it: `{{ steps.X.structured.PATH }}` is checked against it. */
  readonly outputSchema?: Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<{ idempotentHint?: boolean; readOnlyHint?: boolean; destructiveHint?: boolean }>;
}

/** Per server: its tools, or why they could not be listed. */
export type ServerTools =
  | { readonly ok: true; readonly tools: ReadonlyMap<string, ToolInfo> }
  | { readonly ok: false; readonly error: string };

/** Keyed by configured server name. A server absent from the map was not asked (e.g. disabled). */
export type ToolCatalog = ReadonlyMap<string, ServerTools>;

export interface ResolvedStep {
  readonly index: number;
  readonly id: string;
  readonly text: string;
  readonly line?: number;
  /** The configured action name, when the step named one. */
  readonly action?: string;
  readonly server: string;
  readonly tool: string;
  /** Action defaults merged under the step's arguments; templates still unresolved. */
  readonly args: Readonly<Record<string, unknown>>;
  /** Explicit `depends_on` plus every step referenced by a template: ids of action steps. */
  readonly dependsOn: readonly string[];
  readonly timeoutMs: number;
  /** Retry budget: attempts after the first. */
  readonly retries: number;
  /** May an attempt with an unknown outcome be sent again? */
  readonly idempotent: boolean;
  /** `planId:stepIndex:contentHash`, or the step's own `idempotency_key`. */
  readonly idempotencyKey: string;
  /** The tool's inputSchema declares an `idempotency_key` property, so it is passed as an argument too. */
  readonly acceptsIdempotencyKey: boolean;
}

export interface ValidPlan {
  readonly plan: Plan;
  readonly mode: PlanMode;
  /** Steps to run now, in file order (pre-checked and manual ones excluded). */
  readonly steps: readonly ResolvedStep[];
  /** Steps ticked `- [x]` already: skipped. */
  readonly done: readonly Step[];
  /** Free-text steps that matched no action: reported, left unchecked. */
  readonly manual: readonly ManualStep[];
}

export type ValidationResult =
  | { readonly ok: true; readonly plan: ValidPlan }
  | { readonly ok: false; readonly problems: readonly PlanProblem[] };
