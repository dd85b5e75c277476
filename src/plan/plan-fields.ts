import { problem, quote } from './problems.js';
import type { Plan, PlanMode, PlanProblem } from './types.js';
import { kindOf } from './yaml-safe.js';

/** Plan-level front-matter keys with meaning (SPEC §5), type-checked here, interpreted by validation. */
export type PlanFields = Pick<Plan, 'id' | 'mode' | 'expires' | 'approvedBy' | 'approvedAt' | 'approvedActions' | 'status' | 'approvalId'>;

export function readPlanFields(
  fm: Readonly<Record<string, unknown>>,
  file: string,
): { readonly fields: PlanFields; readonly problems: readonly PlanProblem[] } {
  const problems: PlanProblem[] = [];
  const bad = (message: string): void => void problems.push(problem('bad_field', message, { file }));
  const str = (key: string, hint: string): string | undefined => {
    const v = fm[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    bad(`front-matter \`${key}\` must be ${hint}, got ${kindOf(v)} ${quote(v)}`);
    return undefined;
  };

  let id = defaultId(file);
  if (fm.id !== undefined && fm.id !== null) {
    if ((typeof fm.id === 'string' && fm.id.trim() !== '') || (typeof fm.id === 'number' && Number.isFinite(fm.id))) {
      id = String(fm.id).trim();
    } else bad(`front-matter \`id\` must be a non-empty text, got ${kindOf(fm.id)} ${quote(fm.id)}`);
  }

  let mode: PlanMode | undefined;
  const rawMode = str('mode', '`sequential` or `parallel`');
  if (rawMode !== undefined) {
    const m = rawMode.toLowerCase();
    if (m === 'sequential' || m === 'parallel') mode = m;
    else bad(`front-matter \`mode\` must be \`sequential\` or \`parallel\`, got ${quote(rawMode)}`);
  }

  const expires = str('expires', 'an ISO 8601 date-time such as 2026-02-17T14:15:30Z');
  const approvedBy = str('approved_by', 'a text (who approved)');
  const approvedAt = str('approved_at', 'an ISO 8601 date-time');
  const status = str('status', 'a text such as `pending`');
  const approvalId = str('approval_id', 'the text the daemon wrote there (remove the line to approve the plan anew)');

  let approvedActions: string[] | undefined;
  const raw = fm.approved_actions;
  if (raw !== undefined && raw !== null) {
    const list: unknown[] = Array.isArray(raw) ? raw : [raw];
    if (list.every((a): a is string => typeof a === 'string' && a.trim() !== '')) approvedActions = list.map((a) => a.trim());
    else bad(`front-matter \`approved_actions\` must be a list of action names, got ${quote(raw)}`);
  }

  return {
    problems,
    fields: {
      id,
      ...(mode !== undefined ? { mode } : {}),
      ...(expires !== undefined ? { expires } : {}),
      ...(approvedBy !== undefined ? { approvedBy } : {}),
      ...(approvedAt !== undefined ? { approvedAt } : {}),
      ...(approvedActions !== undefined ? { approvedActions } : {}),
      ...(status !== undefined ? { status } : {}),
      ...(approvalId !== undefined ? { approvalId } : {}),
    },
  };
}

/** The file name without folders and without `.md`. */
export function defaultId(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const id = base.replace(/\.md$/i, '');
  return id === '' ? 'plan' : id;
}
