import { problem, quote } from './problems.js';
import type { ActionStep, Location, PlanProblem } from './types.js';
import { isMapping, kindOf } from './yaml-safe.js';

/** Step keys with meaning (SPEC §5); every other key is an argument of the tool. */
export const STEP_KEYS: ReadonlySet<string> = new Set([
  'action',
  'server',
  'tool',
  'id',
  'depends_on',
  'timeout_ms',
  'retries',
  'idempotency_key',
  'args',
  'params',
]);

/** A step's fields, checked for type but not yet against the configuration. */
export type StepFields = Pick<ActionStep, 'action' | 'server' | 'tool' | 'dependsOn' | 'timeoutMs' | 'retries' | 'idempotencyKey' | 'args'> & {
  readonly id?: string;
};

export type StepFieldsResult =
  | { readonly ok: true; readonly fields: StepFields }
  | { readonly ok: false; readonly problems: readonly PlanProblem[] };

/** Ids appear in templates (`steps.ID.text`), so they are restricted to what a dotted path can hold. */
const STEP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Reads one step's fields from a mapping (yaml/json block, sub-bullets, or a `steps:` entry).
 * `args:`/`params:` hold arguments whose names would clash with the keys above; an argument given
 * both there and at the top level is an error rather than a silent pick.
 */
export function readStepFields(raw: Readonly<Record<string, unknown>>, loc: Location): StepFieldsResult {
  const problems: PlanProblem[] = [];
  const bad = (message: string): void => void problems.push(problem('bad_field', message, loc));

  const str = (key: string): string | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    bad(`\`${key}\` must be a non-empty string, got ${kindOf(v)}`);
    return undefined;
  };
  const action = str('action');
  const server = str('server');
  const tool = str('tool');
  const idempotencyKey = str('idempotency_key');
  if (raw.action !== undefined && (raw.server !== undefined || raw.tool !== undefined)) {
    problems.push(problem('step_syntax', 'give either `action` or `server` + `tool`, not both', loc));
  } else if ((raw.server === undefined) !== (raw.tool === undefined)) {
    problems.push(problem('step_syntax', '`server` and `tool` go together: give both, or name an `action` instead', loc));
  }

  let id: string | undefined;
  if (raw.id !== undefined) {
    const v = typeof raw.id === 'number' && Number.isInteger(raw.id) ? String(raw.id) : raw.id;
    if (typeof v === 'string' && STEP_ID.test(v)) id = v;
    else bad(`\`id\` ${quote(raw.id)} must be 1-64 letters, digits, \`_\` or \`-\` (it is used in templates like {{ steps.ID.text }})`);
  }

  const dependsOn: string[] = [];
  if (raw.depends_on !== undefined && raw.depends_on !== null) {
    const list = Array.isArray(raw.depends_on) ? raw.depends_on : [raw.depends_on];
    for (const d of list) {
      const v = typeof d === 'number' && Number.isInteger(d) ? String(d) : d;
      if (typeof v === 'string' && v.trim() !== '') dependsOn.push(v.trim());
      else bad(`\`depends_on\` must be a step id or a list of step ids, got ${kindOf(d)} ${quote(d)}`);
    }
  }

  const int = (key: string, min: number, what: string): number | undefined => {
    const v = raw[key];
    if (v === undefined) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return v;
    bad(`\`${key}\` must be ${what}, got ${quote(v)}`);
    return undefined;
  };
  const timeoutMs = int('timeout_ms', 1, 'a whole number of milliseconds above 0');
  const retries = int('retries', 0, 'a whole number, 0 or more');

  const args = collectArgs(raw, loc, problems);
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    fields: {
      ...(action !== undefined ? { action } : {}),
      ...(server !== undefined ? { server } : {}),
      ...(tool !== undefined ? { tool } : {}),
      ...(id !== undefined ? { id } : {}),
      dependsOn,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(retries !== undefined ? { retries } : {}),
      ...(idempotencyKey !== undefined ? { idempotencyKey } : {}),
      args,
    },
  };
}

/**
 * Top-level keys that are not step keys, plus the contents of `args:` and `params:`. Built with
 * `Object.fromEntries` so a key named `__proto__` stays an ordinary own property.
 */
export function collectArgs(
  raw: Readonly<Record<string, unknown>>,
  loc: Location,
  problems: PlanProblem[],
  reserved: ReadonlySet<string> = STEP_KEYS,
): Record<string, unknown> {
  const entries: [string, unknown][] = Object.entries(raw).filter(([k]) => !reserved.has(k));
  const seen = new Set(entries.map(([k]) => k));
  for (const holder of ['args', 'params']) {
    const inner = raw[holder];
    if (inner === undefined || inner === null) continue;
    if (!isMapping(inner)) {
      problems.push(problem('bad_field', `\`${holder}\` must be a mapping of argument names to values, got ${kindOf(inner)}`, loc));
      continue;
    }
    for (const [k, v] of Object.entries(inner)) {
      if (seen.has(k)) {
        problems.push(problem('step_syntax', `argument ${quote(k)} is given twice (in \`${holder}\` and elsewhere): keep one`, loc));
        continue;
      }
      seen.add(k);
      entries.push([k, v]);
    }
  }
  return Object.fromEntries(entries);
}
