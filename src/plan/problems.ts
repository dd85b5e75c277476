import { oneLine } from '../core/text.js';
import type { Location, PlanProblem, PlanProblemCode } from './types.js';

/** Builds a problem, dropping absent location parts so objects compare cleanly in tests and logs. */
export function problem(code: PlanProblemCode, message: string, loc: Location = {}): PlanProblem {
  return {
    code,
    message: oneLine(message),
    ...(loc.file !== undefined ? { file: loc.file } : {}),
    ...(loc.step !== undefined ? { step: loc.step } : {}),
    ...(loc.line !== undefined ? { line: loc.line } : {}),
  };
}

/** `<file>: step <n> (line <l>): <message>`, absent parts omitted; a line without a step reads `line <l>`. */
export function formatProblem(p: PlanProblem): string {
  const parts: string[] = [];
  if (p.file !== undefined && p.file !== '') parts.push(p.file);
  if (p.step !== undefined) parts.push(p.line !== undefined ? `step ${p.step} (line ${p.line})` : `step ${p.step}`);
  else if (p.line !== undefined) parts.push(`line ${p.line}`);
  parts.push(oneLine(p.message));
  return parts.join(': ');
}

/**
 * Quotes a user-supplied value for a message: JSON quoting makes hostile or blank values visible,
 * and long values are cut so one problem stays one readable line.
 */
export function quote(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : safeJson(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/** A list of names for "known ones are: …" hints. */
export function listNames(names: Iterable<string>, none = '(none configured)'): string {
  const all = [...names];
  if (all.length === 0) return none;
  return all.map((n) => quote(n, 60)).join(', ');
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
