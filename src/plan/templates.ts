/**
 * Templates in step arguments (SPEC §5): `{{ steps.ID.text }}`, `{{ steps.ID.structured.PATH }}`,
 * `{{ plan.FIELD }}`, `{{ now }}`. Only string values are scanned, never keys. Resolution is a single
 * pass: text that a tool returns is inserted as is and never scanned again, so a tool's output cannot
 * inject templates.
 */

export type TemplateExpr =
  | { readonly root: 'now' }
  | { readonly root: 'plan'; readonly path: readonly string[] }
  | { readonly root: 'steps'; readonly id: string; readonly field: 'text' }
  | { readonly root: 'steps'; readonly id: string; readonly field: 'structured'; readonly path: readonly string[] };

export interface TemplateRef {
  readonly stepId: string;
  /** JSON pointer (as ajv writes `instancePath`) of the string holding the template. */
  readonly pointer: string;
  /** The template as written (shortened), for messages. */
  readonly template: string;
  /** The path under `structured`, for a `{{ steps.ID.structured.PATH }}` reference. */
  readonly structuredPath?: readonly string[];
}

export interface TemplateScan {
  /** Step ids referenced, each once, in order of appearance. */
  readonly stepIds: readonly string[];
  readonly refs: readonly TemplateRef[];
  /** `plan.…` references, for checking against the front matter. */
  readonly planRefs: readonly { readonly path: readonly string[]; readonly pointer: string; readonly template: string }[];
  /** JSON pointers of every string value that contains a template. */
  readonly templated: readonly string[];
  readonly problems: readonly { readonly pointer: string; readonly template: string; readonly message: string }[];
}

/** A step's result as templates read it (events/step-result.ts's StepResult has this shape). */
export interface TemplateResult {
  readonly text: string;
  readonly structured?: unknown;
  /** Cut to the size the journal keeps: never passed on, so no step gets a silently partial value. */
  readonly textCut?: true;
  readonly structuredCut?: true;
}

export interface TemplateContext {
  /** The result of an earlier step, by step id; undefined when it has none (yet). */
  readonly steps: (id: string) => TemplateResult | undefined;
  readonly plan: Readonly<Record<string, unknown>>;
  readonly now: Date;
}

export class TemplateError extends Error {
  override readonly name = 'TemplateError';
}

// The inside may not hold braces: that keeps matching linear on text full of `{{` (a lazy `.*?`
// would rescan to the end of the string from every one of them).
const TEMPLATE = /\{\{([^{}]*)\}\}/g;
const WHOLE = /^\{\{([^{}]*)\}\}$/;

/** Parses the inside of `{{ … }}`; a string result is what is wrong with it. */
export function parseTemplate(inner: string): TemplateExpr | string {
  const expr = inner.trim();
  if (expr === '') return 'the template is empty';
  const parts = expr.split('.');
  if (parts.some((p) => p === '' || /\s/.test(p))) return 'a template is a dotted path without spaces or empty parts, like steps.ID.text';
  const [root, ...rest] = parts;
  if (root === 'now') return rest.length === 0 ? { root: 'now' } : '`now` has no fields: write {{ now }}';
  if (root === 'plan') return rest.length > 0 ? { root: 'plan', path: rest } : 'name a front-matter field: {{ plan.FIELD }}';
  if (root === 'steps') {
    const [id, field, ...path] = rest;
    if (id === undefined || field === undefined) return 'name a step and a field: {{ steps.ID.text }} or {{ steps.ID.structured.PATH }}';
    if (field === 'text') return path.length === 0 ? { root: 'steps', id, field } : '`text` is a string and has no fields: write {{ steps.ID.text }}';
    if (field === 'structured') return { root: 'steps', id, field, path };
    return `a step result has \`text\` and \`structured\`, not ${JSON.stringify(field)}`;
  }
  return `unknown template root ${JSON.stringify(root)}: use steps, plan or now`;
}

/** Walks nested arguments and reports every template: the steps it needs and what is malformed. */
export function findTemplateRefs(value: unknown): TemplateScan {
  const stepIds: string[] = [];
  const refs: TemplateRef[] = [];
  const planRefs: { path: readonly string[]; pointer: string; template: string }[] = [];
  const templated: string[] = [];
  const problems: { pointer: string; template: string; message: string }[] = [];
  mapStrings(value, (s, pointer) => {
    let found = false;
    for (const m of s.matchAll(TEMPLATE)) {
      found = true;
      const template = shorten(m[0]);
      const expr = parseTemplate(m[1] ?? '');
      if (typeof expr === 'string') problems.push({ pointer, template, message: expr });
      else if (expr.root === 'steps') {
        refs.push({ stepId: expr.id, pointer, template, ...(expr.field === 'structured' ? { structuredPath: expr.path } : {}) });
        if (!stepIds.includes(expr.id)) stepIds.push(expr.id);
      } else if (expr.root === 'plan') planRefs.push({ path: expr.path, pointer, template });
    }
    if (found) templated.push(pointer);
    return s;
  });
  return { stepIds, refs, planRefs, templated, problems };
}

/**
 * Replaces every template in `args`. A string that is exactly one template takes the referenced
 * value with its type (number, object, …); otherwise values are written into the string, objects as
 * JSON. A missing value throws a TemplateError naming the template.
 */
export function resolveTemplates(args: Readonly<Record<string, unknown>>, ctx: TemplateContext): Record<string, unknown> {
  return mapStrings(args, (s) => resolveString(s, ctx)) as Record<string, unknown>;
}

/**
 * The arguments as far as they are known before the run: strings whose templates name only the plan or
 * `now` are resolved (so `check` can hold them against the schema), the others left as written and
 * listed in `unknown` (JSON pointers), as is a string whose template cannot be resolved.
 */
export function resolveKnownTemplates(
  args: Readonly<Record<string, unknown>>,
  ctx: Omit<TemplateContext, 'steps'>,
): { readonly args: Record<string, unknown>; readonly unknown: readonly string[] } {
  const unknown: string[] = [];
  const none: TemplateContext = { ...ctx, steps: () => undefined };
  const resolved = mapStrings(args, (s, pointer) => {
    if (!s.includes('{{')) return s;
    try {
      const value = /\{\{\s*steps\./.test(s) ? undefined : resolveString(s, none);
      if (value !== undefined) return value;
    } catch {
      // Reported by validation (a missing field, a bad template); left as written here.
    }
    unknown.push(pointer);
    return s;
  });
  return { args: resolved as Record<string, unknown>, unknown };
}

/** A copy of `value` with every string replaced by `fn`, which is told the string's JSON pointer. */
function mapStrings(value: unknown, fn: (s: string, pointer: string) => unknown, pointer = ''): unknown {
  if (typeof value === 'string') return fn(value, pointer);
  if (Array.isArray(value)) return value.map((v, i) => mapStrings(v, fn, `${pointer}/${i}`));
  if (typeof value === 'object' && value !== null) {
    // fromEntries keeps a `__proto__` key an own property instead of calling the setter.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn, `${pointer}/${escapePointer(k)}`)]));
  }
  return value;
}

function resolveString(s: string, ctx: TemplateContext): unknown {
  const whole = WHOLE.exec(s);
  if (whole !== null) return lookup(whole[0], whole[1] ?? '', ctx);
  return s.replace(TEMPLATE, (template, inner: string) => {
    const v = lookup(template, inner, ctx);
    return typeof v === 'string' ? v : JSON.stringify(v);
  });
}

function lookup(template: string, inner: string, ctx: TemplateContext): unknown {
  const expr = parseTemplate(inner);
  const fail = (why: string): never => {
    throw new TemplateError(`template ${shorten(template)}: ${why}`);
  };
  if (typeof expr === 'string') return fail(expr);
  if (expr.root === 'now') return ctx.now.toISOString();
  if (expr.root === 'plan') {
    const found = followPath(ctx.plan, expr.path);
    return found.ok ? found.value : fail(`the plan has no ${JSON.stringify(expr.path.slice(0, found.depth + 1).join('.'))} field`);
  }
  const result = ctx.steps(expr.id);
  const id = JSON.stringify(expr.id);
  if (result === undefined) return fail(`step ${id} has no result (has it run?)`);
  const tooLarge = 'was larger than the orchestrator keeps (execution.maxResultBytes), so it cannot be passed on whole';
  if (expr.field === 'text') {
    return result.textCut ? fail(`step ${id}'s text ${tooLarge}; pass a smaller piece (a structured field) or raise the limit`) : result.text;
  }
  if (result.structuredCut) return fail(`step ${id}'s structured result ${tooLarge}; raise the limit`);
  if (result.structured === undefined) return fail(`step ${id} returned no structured content`);
  const found = followPath(result.structured, expr.path);
  if (!found.ok) {
    return fail(`step ${JSON.stringify(expr.id)}'s structured result has no ${JSON.stringify(expr.path.slice(0, found.depth + 1).join('.'))}`);
  }
  return found.value;
}

/** Follows a dot path through own properties only (never the prototype); numeric parts index arrays. */
export function followPath(
  value: unknown,
  path: readonly string[],
): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly depth: number } {
  let cur = value;
  for (let depth = 0; depth < path.length; depth++) {
    const key = path[depth] ?? '';
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(key) || Number(key) >= cur.length) return { ok: false, depth };
      cur = cur[Number(key)];
    } else if (typeof cur === 'object' && cur !== null && Object.hasOwn(cur, key)) {
      cur = (cur as Record<string, unknown>)[key];
    } else return { ok: false, depth };
    if (cur === undefined) return { ok: false, depth };
  }
  return { ok: true, value: cur };
}

/** Templates are quoted in messages; a hostile one could be huge. */
function shorten(template: string): string {
  return template.length > 120 ? `${template.slice(0, 117)}…}}` : template;
}

/** RFC 6901 escaping, as ajv uses in `instancePath`. */
function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** What `{{ plan.FIELD }}` reads: the front matter, with `id` always the plan's id. */
export function planValues(plan: { readonly id: string; readonly frontMatter: Readonly<Record<string, unknown>> }): Record<string, unknown> {
  return Object.fromEntries([...Object.entries(plan.frontMatter), ['id', plan.id]]);
}
