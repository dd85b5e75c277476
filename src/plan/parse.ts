import type { Config } from '../config/schema.js';
import { extractChecklist } from './checklist.js';
import { checklistSteps } from './checklist-steps.js';
import { DEFAULT_MAX_BYTES, decodePlanText } from './decode.js';
import { splitFrontMatter } from './front-matter.js';
import { frontMatterSteps, singleActionStep } from './front-matter-steps.js';
import { readPlanFields } from './plan-fields.js';
import { problem } from './problems.js';
import type { BuiltSteps } from './step-build.js';
import type { ParseResult, Plan, PlanProblem, PlanShape } from './types.js';

const DEFAULT_MAX_STEPS = 1000;

export interface ParseOptions {
  /** Larger files are refused before parsing (default 1 MiB). */
  readonly maxBytes?: number;
  /** More steps than this is an error (default 1,000). */
  readonly maxSteps?: number;
}

/**
 * Parses a plan file (SPEC §5) into data. Pure: no I/O, no clock. Never throws; every problem found
 * is returned at once. Shape: front-matter `steps` → C; else front-matter `action`/`mcp_server`/
 * `mcp_tool` → A (the body is prose); else the body's `## Steps` checklist → B.
 */
export function parsePlan(
  text: string | Uint8Array,
  file: string,
  actions: Config['actions'],
  opts: ParseOptions = {},
): ParseResult {
  const maxSteps = opts.maxSteps ?? DEFAULT_MAX_STEPS;
  const decoded = decodePlanText(text, file, opts.maxBytes ?? DEFAULT_MAX_BYTES);
  if (!decoded.ok) return { ok: false, problems: [decoded.problem] };

  const split = splitFrontMatter(decoded.text);
  if (!split.ok) {
    return { ok: false, problems: [problem('front_matter', split.message, { file, ...(split.line !== undefined ? { line: split.line } : {}) })] };
  }
  const { data: fm, body, bodyLine } = split.value;
  const plan = readPlanFields(fm, file);
  const problems: PlanProblem[] = [...plan.problems];

  let shape: PlanShape;
  let built: BuiltSteps;
  const single = fm.action !== undefined || fm.mcp_server !== undefined || fm.mcp_tool !== undefined;
  if (fm.steps !== undefined) {
    shape = 'front_matter_steps';
    if (single) {
      problems.push(problem('bad_field', 'the front matter has both `steps` and `action`/`mcp_tool`: use `steps` for several steps or `action` for one', { file }));
    }
    built = frontMatterSteps(fm.steps, file, actions, maxSteps);
  } else if (single) {
    shape = 'single_action';
    built = singleActionStep(fm, file, actions);
  } else {
    shape = 'checklist';
    const checklist = extractChecklist(body, bodyLine);
    problems.push(...checklist.problems.map((p) => problem('step_syntax', p.message, { file, line: p.line })));
    const countable = checklist.items.filter((i) => i.text !== '' || i.blocks.length > 0 || i.fields.length > 0);
    if (countable.length > maxSteps) {
      return { ok: false, problems: [problem('too_large', `the plan has ${countable.length} steps; at most ${maxSteps} are allowed: split it`, { file })] };
    }
    built = checklistSteps(checklist.items, file, actions);
    if (built.steps.length === 0 && built.problems.length === 0 && problems.length === 0) {
      const where = checklist.hasSection ? 'the "Steps" section has no list items' : 'no steps found';
      problems.push(
        problem('no_steps', `${where}: add a "## Steps" checklist, a front-matter \`action\`, or a front-matter \`steps:\` list`, { file }),
      );
    }
  }
  problems.push(...built.problems);
  if (shape === 'front_matter_steps' && built.steps.length === 0 && problems.length === 0) {
    problems.push(problem('no_steps', 'front-matter `steps` is an empty list: add at least one step', { file }));
  }
  const { id, ...fields } = plan.fields;
  const parsed: Plan = { id, file, shape, ...fields, frontMatter: fm, steps: built.steps, bodyLine };
  // What parsed goes on to validation, so a plan's problems are all reported at once (SPEC §5).
  return problems.length > 0 ? { ok: false, problems, plan: parsed } : { ok: true, plan: parsed };
}
