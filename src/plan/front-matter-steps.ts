import { problem } from './problems.js';
import { addStep, buildStep, type Actions, type BuiltSteps } from './step-build.js';
import { STEP_KEYS, collectArgs, readStepFields } from './step-fields.js';
import type { PlanProblem } from './types.js';
import { isMapping, kindOf } from './yaml-safe.js';

/**
 * Front-matter keys that are never arguments of a single-action file's tool (shape A): the plan keys
 * with meaning, the direct-tool keys, the step keys, the fields the daemon itself writes back
 * (status, timestamps, error), and common bookkeeping/Obsidian properties. An argument whose name is
 * on this list goes under `args:` (or use `mcp_params`).
 */
export const SINGLE_ACTION_RESERVED: ReadonlySet<string> = new Set([
  // plan keys with meaning
  'id', 'type', 'action', 'status', 'expires', 'approved_by', 'approved_at', 'approved_actions', 'mode', 'steps',
  // naming the tool directly
  'mcp_server', 'mcp_tool', 'mcp_params',
  // step keys with meaning
  ...STEP_KEYS,
  // written back by the daemon
  'completed_at', 'failed_at', 'error', 'retry_at', 'started_at', 'claimed_at', 'approval_id',
  // bookkeeping and Obsidian properties
  'created', 'created_at', 'updated', 'updated_at', 'modified', 'priority', 'risk_level', 'requires_approval',
  'rejected_by', 'rejected_at', 'tags', 'aliases', 'cssclasses',
]);

/** Shape A: the whole file is one step; its arguments are the other front-matter fields or `mcp_params`. */
export function singleActionStep(
  fm: Readonly<Record<string, unknown>>,
  file: string,
  actions: Actions,
): BuiltSteps {
  const loc = { file, step: 1 };
  const problems: PlanProblem[] = [];
  let args: Record<string, unknown>;
  if (fm.mcp_params !== undefined && fm.mcp_params !== null) {
    if (!isMapping(fm.mcp_params)) {
      return { steps: [], problems: [problem('bad_field', `\`mcp_params\` must be a mapping of argument names to values, got ${kindOf(fm.mcp_params)}`, loc)] };
    }
    args = { ...fm.mcp_params };
  } else {
    args = collectArgs(fm, loc, problems, SINGLE_ACTION_RESERVED);
  }

  const direct = fm.mcp_server !== undefined || fm.mcp_tool !== undefined;
  // `action` is the hackathon label; when it also names a configured action, keep its settings.
  const knownAction = typeof fm.action === 'string' && Object.hasOwn(actions, fm.action.trim());
  const halfPair = direct && !knownAction && (fm.mcp_server === undefined || fm.mcp_tool === undefined);
  if (halfPair) {
    problems.push(problem('step_syntax', '`mcp_server` and `mcp_tool` go together: give both, or name a configured `action`', loc));
  }
  const selector: [string, unknown][] = halfPair
    ? []
    : direct && !knownAction
      ? [['server', fm.mcp_server], ['tool', fm.mcp_tool]]
      : [['action', fm.action]];
  const meta: [string, unknown][] = ['timeout_ms', 'retries', 'idempotency_key']
    .filter((k) => fm[k] !== undefined)
    .map((k) => [k, fm[k]]);
  const read = readStepFields(Object.fromEntries([...selector, ...meta]), loc);
  if (!read.ok) problems.push(...read.problems);
  if (problems.length > 0 || !read.ok) return { steps: [], problems };

  const fields = {
    ...read.fields,
    args,
    ...(direct && knownAction ? directPair(fm) : {}),
  };
  const label = typeof fm.action === 'string' ? fm.action.trim() : '';
  const built = buildStep({ index: 1, text: label, done: false, origin: 'explicit', fields }, actions, loc);
  return { steps: built.step ? [built.step] : [], problems: built.problems };
}

/** With a configured action, `mcp_server`/`mcp_tool` are kept so validation can check they agree with it. */
function directPair(fm: Readonly<Record<string, unknown>>): { server?: string; tool?: string } {
  return {
    ...(typeof fm.mcp_server === 'string' ? { server: fm.mcp_server.trim() } : {}),
    ...(typeof fm.mcp_tool === 'string' ? { tool: fm.mcp_tool.trim() } : {}),
  };
}

/** Shape C: `steps:` in the front matter, each a mapping of step fields or a free-text string. */
export function frontMatterSteps(
  list: unknown,
  file: string,
  actions: Actions,
  maxSteps: number,
): BuiltSteps {
  if (!Array.isArray(list)) {
    return { steps: [], problems: [problem('bad_field', `front-matter \`steps\` must be a list of steps, got ${kindOf(list)}`, { file })] };
  }
  if (list.length > maxSteps) {
    return { steps: [], problems: [problem('too_large', `the plan has ${list.length} steps; at most ${maxSteps} are allowed: split it`, { file })] };
  }
  const built: BuiltSteps = { steps: [], problems: [] };
  list.forEach((entry: unknown, i) => {
    const index = i + 1;
    const loc = { file, step: index };
    if (typeof entry === 'string') addStep(built, { index, text: entry.trim(), done: false, origin: 'loose' }, undefined, actions, loc);
    else if (isMapping(entry)) addStep(built, { index, text: '', done: false, origin: 'explicit' }, entry, actions, loc);
    else built.problems.push(problem('step_syntax', `each entry of \`steps\` must be a mapping (action, args, id, …) or a text, got ${kindOf(entry)}`, loc));
  });
  return built;
}
