import type { Config, ExecutionConfig } from '../config/schema.js';
import { findCycles } from './graph.js';
import { planPolicyProblems } from './policy.js';
import { listNames, problem, quote } from './problems.js';
import { createSchemaChecker, type SchemaChecker } from './schema-check.js';
import { followSchemaPath } from './schema-names.js';
import { checkActionStep } from './step-check.js';
import { planValues } from './templates.js';
import type { ManualStep, Plan, PlanMode, PlanProblem, Step } from './types.js';
import type { ResolvedStep, ToolCatalog, ToolInfo, ValidationResult } from './validated.js';

export interface ValidateContext {
  readonly actions: Config['actions'];
  readonly servers: Config['mcpServers'];
  readonly execution: ExecutionConfig;
  /** Tools per server; a server absent from it was not asked, so its tool names and schemas go unchecked. */
  readonly tools: ToolCatalog;
  readonly now: Date;
  /** Manual steps are errors; defaults to `execution.strict`. */
  readonly strict?: boolean;
  /** A long-lived schema checker to reuse compiled schemas across calls; a fresh one otherwise. */
  readonly schemaChecker?: SchemaChecker;
  /** Steps (by index) already done whose results an earlier run kept (the daemon's journal): templates may use them. */
  readonly knownResults?: ReadonlySet<number>;
  /** Some steps did not parse and are missing: a reference to an unknown step may mean one of them, so it is not reported. */
  readonly incomplete?: boolean;
}

/**
 * Checks a parsed plan against configuration, tool catalog and policy before any step runs
 * (SPEC §5, §7), reporting every problem at once. Pure: time comes from `ctx.now`.
 * Pre-checked (`[x]`) steps are not run and satisfy dependencies, but their results are not
 * available to templates (a `bad_template`), because nothing of an earlier run is kept in the plan.
 */
export function validatePlan(plan: Plan, ctx: ValidateContext): ValidationResult {
  const problems: PlanProblem[] = [...planPolicyProblems(plan, ctx.now)];
  const mode: PlanMode = plan.mode ?? ctx.execution.mode;
  const strict = ctx.strict ?? ctx.execution.strict;
  const locOf = (s: Step) => ({ file: plan.file, step: s.index, ...(s.line !== undefined ? { line: s.line } : {}) });

  const byId = new Map<string, Step>();
  for (const s of plan.steps) {
    const first = byId.get(s.id);
    if (first === undefined) byId.set(s.id, s);
    else problems.push(problem('duplicate_step_id', `step id ${quote(s.id)} is already used by step ${first.index}: give each step its own id`, locOf(s)));
  }
  const knownIds = (): string => listNames(byId.keys(), '(none)');

  const checker = ctx.schemaChecker ?? createSchemaChecker();
  const values = planValues(plan);
  const resolved: Omit<ResolvedStep, 'dependsOn'>[] = [];
  const deps = new Map<string, string[]>();
  const manual: ManualStep[] = [];
  const tools = new Map<string, { readonly info: ToolInfo; readonly name: string }>();
  const structured: { readonly step: Step; readonly refs: ReturnType<typeof checkActionStep>['scan']['refs'] }[] = [];

  for (const step of plan.steps) {
    if (step.done) continue;
    if (step.kind === 'manual') {
      manual.push(step);
      if (strict) {
        problems.push(
          problem(
            'manual_step_strict',
            `the step ${quote(step.text)} matches no action and strict mode is on: name its action (\`action: NAME\`), tick it [x] if it was done by hand, or turn off execution.strict`,
            locOf(step),
          ),
        );
      }
      continue;
    }
    const check = checkActionStep(step, { ...ctx, plan, checker, planValues: values });
    problems.push(...check.problems);
    const add = (code: PlanProblem['code'], message: string): void => void problems.push(problem(code, message, locOf(step)));
    const mine: string[] = [];
    const later = (target: Step): string =>
      `step ${quote(target.id)} comes later (step ${target.index}) and in sequential mode steps run in file order: move it before this one, or set \`mode: parallel\``;

    for (const id of step.dependsOn) {
      const target = byId.get(id);
      if (target === undefined && ctx.incomplete) continue;
      if (target === undefined) add('unknown_dependency', `depends_on names unknown step ${quote(id)}; step ids are ${knownIds()}`);
      else if (target.kind === 'manual' && !target.done) add('unknown_dependency', `depends_on names step ${quote(id)}, a manual step that never runs: remove the dependency or give that step an action`);
      else if (mode === 'sequential' && target.index > step.index) add('unknown_dependency', `depends_on: ${later(target)}`);
      else if (!target.done && !mine.includes(id)) mine.push(id);
    }
    for (const id of check.scan.stepIds) {
      const target = byId.get(id);
      const t = `template {{ steps.${id}… }}`;
      if (target === undefined && ctx.incomplete) continue;
      if (target === undefined) add('bad_template', `${t} refers to unknown step ${quote(id)}; step ids are ${knownIds()}`);
      else if (target.index === step.index) add('bad_template', `${t} refers to this same step, whose result does not exist yet`);
      else if (target.kind === 'manual') add('bad_template', `${t} refers to a manual step, which has no result`);
      else if (target.done && ctx.knownResults?.has(target.index)) continue;
      else if (target.done) add('bad_template', `${t} refers to a step already done ([x]) whose result is not kept: untick it to run it again, or write the value in directly`);
      else if (mode === 'sequential' && target.index > step.index) add('bad_template', `${t}: ${later(target)}`);
      else if (!mine.includes(id)) mine.push(id);
    }
    deps.set(step.id, mine);
    if (check.resolved !== undefined) resolved.push(check.resolved);
    if (check.info !== undefined && check.resolved !== undefined) tools.set(step.id, { info: check.info, name: `${check.resolved.server}.${check.resolved.tool}` });
    structured.push({ step, refs: check.scan.refs });
  }

  // `{{ steps.X.structured.PATH }}` against X's outputSchema, once every step's tool is known.
  for (const { step, refs } of structured) {
    for (const ref of refs) {
      const target = tools.get(ref.stepId);
      if (ref.structuredPath === undefined || target?.info.outputSchema === undefined) continue;
      const found = followSchemaPath(target.info.outputSchema, ref.structuredPath);
      if (found.ok) continue;
      const missing = ref.structuredPath.slice(0, found.depth + 1).join('.');
      const fix = found.suggestion !== undefined ? `did you mean ${quote(ref.structuredPath.slice(0, found.depth).concat(found.suggestion).join('.'))}?` : 'fix the path';
      problems.push(
        problem(
          'bad_template',
          `template ${ref.template}: step ${quote(ref.stepId)} (${target.name}) has no ${quote(missing)} in its structured result (its outputSchema declares ${listNames(found.known, '(nothing)')} there): ${fix}`,
          locOf(step),
        ),
      );
    }
  }

  const pending = plan.steps.filter((s) => !s.done && s.kind === 'action').map((s) => s.id);
  for (const cycle of findCycles(pending, deps)) {
    const first = byId.get(cycle[0] ?? '');
    problems.push(
      problem('dependency_cycle', `dependency cycle: ${cycle.join(' → ')}: remove one of these dependencies`, first ? locOf(first) : { file: plan.file }),
    );
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    plan: {
      plan,
      mode,
      steps: resolved.map((r) => ({ ...r, dependsOn: deps.get(r.id) ?? [] })),
      done: plan.steps.filter((s) => s.done),
      manual,
    },
  };
}
