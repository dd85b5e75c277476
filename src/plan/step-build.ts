import type { ActionConfig } from '../config/schema.js';
import { matchKeywords } from './keywords.js';
import { listNames, problem, quote } from './problems.js';
import { readStepFields, type StepFields } from './step-fields.js';
import type { ActionStep, Location, PlanProblem, Step } from './types.js';

export interface StepInput {
  readonly index: number;
  readonly text: string;
  readonly done: boolean;
  readonly line?: number;
  readonly fields?: StepFields;
  /**
   * `explicit`: the author wrote structured fields (a yaml block or a `steps:` entry), so a step that
   * names no action is an error. `loose`: free text (maybe with note bullets), so it may be manual.
   */
  readonly origin: 'explicit' | 'loose';
}

export type Actions = Readonly<Record<string, ActionConfig>>;

/** What a plan shape builds: its steps, and the problems of those that could not be built. */
export interface BuiltSteps {
  readonly steps: Step[];
  readonly problems: PlanProblem[];
}

/**
 * Reads a step's fields from `raw` (a yaml/json block, sub-bullets or a `steps:` entry; none for plain
 * text) and adds the step they build, or their problems, to `into`.
 */
export function addStep(
  into: BuiltSteps,
  input: Omit<StepInput, 'fields'>,
  raw: Readonly<Record<string, unknown>> | undefined,
  actions: Actions,
  loc: Location,
): void {
  let fields: StepFields | undefined;
  if (raw !== undefined) {
    const read = readStepFields(raw, loc);
    if (!read.ok) return void into.problems.push(...read.problems);
    fields = read.fields;
  }
  const built = buildStep({ ...input, ...(fields !== undefined ? { fields } : {}) }, actions, loc);
  into.problems.push(...built.problems);
  if (built.step !== undefined) into.steps.push(built.step);
}

/**
 * Turns checked fields into a Step: the action named in the fields, else the one whose keywords the
 * text matches, else a manual step (loose text) or an error (structured fields without an action).
 */
export function buildStep(input: StepInput, actions: Actions, loc: Location): { step?: Step; problems: PlanProblem[] } {
  const f = input.fields;
  const id = f?.id ?? `step${input.index}`;
  const base = { index: input.index, id, done: input.done, ...(input.line !== undefined ? { line: input.line } : {}) };
  if (f?.action !== undefined || f?.server !== undefined) return { step: actionStep(input, f, f.action), problems: [] };

  const match = matchKeywords(input.text, actions);
  if (match.kind === 'match') {
    return { step: { ...actionStep(input, f, match.action), matched: match.keyword }, problems: [] };
  }
  if (match.kind === 'none' && input.origin === 'loose') return { step: { kind: 'manual', ...base, text: input.text }, problems: [] };
  const message =
    match.kind === 'ambiguous'
      ? `the step text matches the keyword ${quote(match.keyword)} of several actions (${listNames(match.actions)}): name one with \`action: NAME\``
      : `the step names no action and its text matches no action keywords: add \`action: NAME\` (known actions: ${listNames(Object.keys(actions))}) or \`server\` + \`tool\``;
  return { problems: [problem('unknown_action', message, loc)] };
}

function actionStep(input: StepInput, f: StepFields | undefined, action: string | undefined): ActionStep {
  const text = input.text !== '' ? input.text : (action ?? `${f?.server ?? ''}.${f?.tool ?? ''}`);
  return {
    kind: 'action',
    index: input.index,
    id: f?.id ?? `step${input.index}`,
    text,
    done: input.done,
    ...(action !== undefined ? { action } : {}),
    ...(f?.server !== undefined ? { server: f.server } : {}),
    ...(f?.tool !== undefined ? { tool: f.tool } : {}),
    args: f?.args ?? {},
    dependsOn: f?.dependsOn ?? [],
    ...(f?.timeoutMs !== undefined ? { timeoutMs: f.timeoutMs } : {}),
    ...(f?.retries !== undefined ? { retries: f.retries } : {}),
    ...(f?.idempotencyKey !== undefined ? { idempotencyKey: f.idempotencyKey } : {}),
    ...(input.line !== undefined ? { line: input.line } : {}),
  };
}
