/**
 * One plan's run (SPEC §5, §7): read and validate it, check it is still what was approved, then run its
 * steps. Everything it does is told as plan events (run_started, attempts, step ends); how the plan
 * ends — the plan_ended event, a deferral, a folder — is its caller's to decide and announce (the
 * daemon's settle step, or the `run` command).
 */
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { PlanEmitter } from '../events/event-stream.js';
import type { PlanOutcome } from '../events/plan-outcome.js';
import type { StepResult } from '../events/step-result.js';
import type { Continuation } from '../journal/decide-recovery.js';
import type { CallGuard } from '../execution/call-guard.js';
import { executePlan } from '../execution/execute-plan.js';
import type { McpPool } from '../mcp/pool.js';
import { planDefinitionHash } from '../plan/canonical.js';
import { DEFAULT_MAX_BYTES, tooLargeProblem } from '../plan/decode.js';
import { formatProblem } from '../plan/problems.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import type { PlanProblem } from '../plan/types.js';
import type { ResolvedStep, ValidPlan } from '../plan/validated.js';
import type { PlanFileStore } from './plan-file.js';
import { preparePlan, type Prepared } from './prepare.js';

interface RunDeps {
  readonly config: Config;
  readonly catalog: Pick<McpPool, 'catalog'>;
  readonly guard: CallGuard;
  readonly clock: Clock;
  readonly schemaChecker?: SchemaChecker;
  /** Cancels calls in flight. */
  readonly signal?: AbortSignal;
  /** No new step starts once aborted. */
  readonly stopSignal?: AbortSignal;
  /** Validate only: no step runs, no event is emitted. */
  readonly dryRun?: boolean;
}

interface RunInput {
  /** The file's name, for problems. */
  readonly file: string;
  readonly store: PlanFileStore;
  readonly emitter: PlanEmitter;
  /** What the journal knows of this approval: succeeded steps (never sent again), unknown outcomes. */
  readonly continuation?: Continuation;
  /** What was approved (the claim's hash): a plan whose definition differs now is not run. */
  readonly approvedHash?: string;
  /** Asked before each step starts: false stops the run there (its file was moved out of In_Progress/). */
  readonly proceed?: () => Promise<boolean>;
  /** Several hosts: can this step run on this node? (execute-plan.ts) */
  readonly here?: (step: ResolvedStep) => boolean;
}

export type RunResult =
  /** `results`: every succeeded step's result by index once steps ran, carried ones included. */
  | { readonly kind: 'ran'; readonly outcome: PlanOutcome; readonly valid?: ValidPlan; readonly results?: ReadonlyMap<number, StepResult> }
  | { readonly kind: 'dry_run'; readonly valid: ValidPlan };

export async function runPlan(input: RunInput, deps: RunDeps): Promise<RunResult> {
  const continuation = input.continuation ?? { carried: new Map(), unresolved: [] };
  const prepared = await readAndPrepare(input, deps, new Set(continuation.carried.keys()));
  if (!prepared.ok) return { kind: 'ran', outcome: refusal(prepared.problems, deps) };
  const valid = prepared.plan;
  const carried = carriedSteps(valid, continuation);
  const unknown = unknownOutcome(valid, continuation);
  if (unknown) return { kind: 'ran', valid, outcome: unknown };
  if (input.approvedHash !== undefined && planDefinitionHash(valid.plan) !== input.approvedHash) {
    return {
      kind: 'ran',
      valid,
      outcome: {
        kind: 'needs_review',
        reason:
          'the plan was edited after it was approved (its steps or policy differ from the claimed ones), so it was not run again: ' +
          'check it, then approve it anew',
      },
    };
  }
  // A step whose server is started on other nodes only (cluster): only the daemon hands it over there.
  const remote = input.here ? undefined : valid.steps.find((step) => elsewhereOf(deps.config, step.server) !== undefined);
  if (remote) {
    const nodes = elsewhereOf(deps.config, remote.server)?.join(', ') ?? '';
    const reason = `step ${remote.index} ${remote.server}.${remote.tool}: server ${remote.server} is started only on node ${nodes}, not here; only the daemon hands such a step over to its node`;
    return { kind: 'ran', valid, outcome: { kind: 'failed', reason } };
  }
  if (deps.dryRun) return { kind: 'dry_run', valid };
  await input.emitter.emit({ type: 'run_started', valid, carried: valid.steps.filter((s) => carried.has(s.index)).map((s) => s.index) });
  const report = await executePlan(valid, {
    guard: deps.guard,
    emitter: input.emitter,
    clock: deps.clock,
    carried,
    retryDelayMs: deps.config.execution.retryDelayMs,
    deferDelayMs: deps.config.execution.deferDelayMs,
    maxResultBytes: deps.config.execution.maxResultBytes,
    ...(deps.config.envValues ? { masked: deps.config.envValues } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.stopSignal ? { stopSignal: deps.stopSignal } : {}),
    ...(input.proceed ? { proceed: input.proceed } : {}),
    ...(input.here ? { here: input.here } : {}),
  });
  return { kind: 'ran', valid, outcome: report.outcome, results: report.results };
}

async function readAndPrepare(input: RunInput, deps: RunDeps, known: ReadonlySet<number>): Promise<Prepared> {
  // A file over the plan size limit is refused by its size, unread (a multi-GiB file would not fit a string).
  const size = await input.store.size();
  if (size > DEFAULT_MAX_BYTES) return { ok: false, problems: [tooLargeProblem(size, input.file)] };
  return preparePlan(await input.store.read(), input.file, { ...deps, knownResults: known });
}

/** The succeeded steps that are still the same steps (same idempotency key): skipped, their results kept. */
function carriedSteps(valid: ValidPlan, continuation: Continuation): Map<number, StepResult> {
  const keys = new Map([...valid.steps].map((step) => [step.index, step.idempotencyKey]));
  const carried = new Map<number, StepResult>();
  for (const [index, step] of continuation.carried) {
    // A ticked step is not in `valid.steps`: its result still feeds templates.
    if (!keys.has(index) || keys.get(index) === step.key) carried.set(index, step.result);
  }
  return carried;
}

/**
 * A step sent with no known outcome is sent again only if its action is idempotent, or a human ticked it
 * (then it is not run at all); otherwise the plan goes to review (SPEC §7, §9.4).
 */
function unknownOutcome(valid: ValidPlan, continuation: Continuation): PlanOutcome | undefined {
  const pending = new Map(valid.steps.map((step) => [step.index, step]));
  const left = valid.steps.find((step) => !continuation.carried.has(step.index));
  if (continuation.forgotten && left) {
    return {
      kind: 'needs_review',
      reason:
        `the journal once lost what was sent for this plan, so step ${left.index} ${left.server}.${left.tool} may have gone out already; ` +
        'it was not sent again: check, and remove the approval_id line to run what is left as a new approval',
    };
  }
  for (const unresolved of continuation.unresolved) {
    const step = pending.get(unresolved.step);
    if (step === undefined || step.idempotencyKey !== unresolved.key || unresolved.idempotent) continue;
    const how = unresolved.cause === 'ambiguous' ? `its outcome was unknown (attempt ${unresolved.attempt})` : `the daemon stopped while it was being sent (attempt ${unresolved.attempt})`;
    return {
      kind: 'needs_review',
      reason:
        `step ${step.index} ${step.server}.${step.tool}: ${how} and its action is not idempotent, so it was not sent again; ` +
        'check whether it went out: tick it [x] if it did and approve the plan again, or remove the approval_id line to send it as a new approval',
    };
  }
  return undefined;
}

/** The nodes a server is started on when that is not this one (`cluster`, config/load.ts); undefined when it runs here. */
export function elsewhereOf(config: Pick<Config, 'mcpServers'>, server: string): readonly string[] | undefined {
  const entry = Object.hasOwn(config.mcpServers, server) ? config.mcpServers[server] : undefined;
  return entry?.type === 'disabled' ? entry.elsewhere : undefined;
}

/** Why a plan that cannot run does not: a server to wait for, or problems to fix. */
function refusal(problems: readonly PlanProblem[], deps: RunDeps): PlanOutcome {
  const text = problems.map(formatProblem).join(' | ');
  if (problems.every((problem) => problem.code === 'server_unavailable')) {
    // Not the plan's fault: validate it again once the server is back, instead of failing it.
    return { kind: 'deferred', reason: text, retryAt: new Date(deps.clock.now().getTime() + deps.config.execution.deferDelayMs) };
  }
  const first = problems[0];
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more; see the Execution Log)` : '';
  return { kind: 'failed', reason: `invalid plan: ${first ? formatProblem(first) : 'unknown problem'}${more}`, problems };
}
