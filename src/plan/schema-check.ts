import { createRequire } from 'node:module';
import type { Ajv, ErrorObject, ValidateFunction } from 'ajv';
import type { Ajv2019 } from 'ajv/dist/2019.js';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type addFormatsModule from 'ajv-formats';
import { canonicalJson } from './canonical.js';

// ajv (a CommonJS package, so it can be required synchronously from check()) is loaded on the first
// schema compiled, not at start: an idle daemon that has checked no plan does not hold its ~6 MB.
const require = createRequire(import.meta.url);
const loadAjv = (draft: Draft): typeof Ajv | typeof Ajv2019 | typeof Ajv2020 =>
  draft === '2020'
    ? (require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020
    : draft === '2019'
      ? (require('ajv/dist/2019.js') as { Ajv2019: typeof Ajv2019 }).Ajv2019
      : (require('ajv') as { Ajv: typeof Ajv }).Ajv;
const loadFormats = (): typeof addFormatsModule => require('ajv-formats') as typeof addFormatsModule;

/**
 * Checks step arguments against tools' inputSchemas, compiling each distinct schema once. Compiled
 * validators are cached by schema content (so a server whose schema changes gets it recompiled):
 * validatePlan makes a fresh checker per call unless the caller passes a long-lived one, which is
 * worth doing in the daemon because building Ajv with meta-schema checks costs tens of milliseconds.
 */
export interface SchemaChecker {
  /**
   * Problems with `args` as readable phrases (empty when they fit), or `compileError` when the tool's
   * schema itself cannot be compiled. Errors at a `templated` JSON pointer (or below) are ignored,
   * since that value is only known at run time; a missing required argument still counts.
   */
  check(
    schema: Readonly<Record<string, unknown>>,
    args: Readonly<Record<string, unknown>>,
    templated: readonly string[],
  ): { readonly errors: readonly string[]; /** Required top-level arguments absent. */ readonly missing: readonly string[] } | { readonly compileError: string };
}

type Draft = '07' | '2019' | '2020';
const MAX_REPORTED = 8;

export function createSchemaChecker(): SchemaChecker {
  const instances = new Map<Draft, Ajv | Ajv2019 | Ajv2020>();
  const compiled = new Map<string, ValidateFunction | { compileError: string }>();

  const ajvFor = (draft: Draft): Ajv | Ajv2019 | Ajv2020 => {
    let ajv = instances.get(draft);
    if (ajv === undefined) {
      const options = { allErrors: true, strict: false, logger: false as const, verbose: true };
      const AjvClass = loadAjv(draft);
      ajv = new AjvClass(options);
      loadFormats().default(ajv);
      instances.set(draft, ajv);
    }
    return ajv;
  };

  const compile = (schema: Readonly<Record<string, unknown>>): ValidateFunction | { compileError: string } => {
    const key = canonicalJson(schema);
    const cached = compiled.get(key);
    if (cached !== undefined) return cached;
    const { draft, schema: prepared } = prepare(schema);
    let result: ValidateFunction | { compileError: string };
    try {
      result = ajvFor(draft).compile(prepared);
    } catch (err) {
      result = { compileError: (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error' };
    }
    compiled.set(key, result);
    return result;
  };

  return {
    check(schema, args, templated) {
      const validate = compile(schema);
      if (!(typeof validate === 'function')) return validate;
      if (validate(args)) return { errors: [], missing: [] };
      const exempt = (e: ErrorObject): boolean =>
        e.keyword !== 'required' && templated.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`));
      const phrases = [...new Set(onePerArgument(oneAlternative(validate.errors ?? []).filter((e) => !exempt(e))).map(describe))];
      const shown = phrases.slice(0, MAX_REPORTED);
      if (phrases.length > shown.length) shown.push(`and ${phrases.length - shown.length} more`);
      const missing = (validate.errors ?? [])
        .filter((e) => e.keyword === 'required' && e.instancePath === '' && !e.schemaPath.includes('Of/'))
        .map((e) => String((e.params as { missingProperty?: unknown }).missingProperty));
      return { errors: shown, missing: [...new Set(missing)] };
    },
  };
}

/**
 * Picks the dialect from `$schema`; other dialects are read as draft-07 with their `$schema` dropped.
 * A root `$id` is dropped too: Ajv refuses a second schema with the same id, and two tools (or two
 * versions of one tool) may well share one.
 */
function prepare(schema: Readonly<Record<string, unknown>>): { draft: Draft; schema: Record<string, unknown> } {
  const { $id: _id, ...rest } = schema;
  const uri = typeof rest.$schema === 'string' ? rest.$schema : '';
  if (uri.includes('2020-12')) return { draft: '2020', schema: rest };
  if (uri.includes('2019-09')) return { draft: '2019', schema: rest };
  if (uri === '' || uri.includes('draft-07')) return { draft: '07', schema: rest };
  const { $schema: _dropped, ...bare } = rest;
  return { draft: '07', schema: bare };
}

/**
 * An anyOf/oneOf that fails reports every branch's errors and then its own summary ("must match a schema
 * in anyOf"): keep only the closest branch's, so one argument reads as one message. The closest branch
 * got deepest into the value, then had the fewest errors; when every branch failed only on its type,
 * one message names all the types ("must be string or array"). Outer combiners are settled first, so a
 * nested one in a dropped branch goes with it.
 */
function oneAlternative(errors: readonly ErrorObject[]): ErrorObject[] {
  let kept = [...errors];
  const summaries = kept.filter((e) => e.keyword === 'anyOf' || (e.keyword === 'oneOf' && e.params.passingSchemas == null));
  summaries.sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const summary of summaries) {
    if (!kept.includes(summary)) continue;
    const prefix = `${summary.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const e of kept) {
      if (!e.schemaPath.startsWith(prefix)) continue;
      const branch = e.schemaPath.slice(prefix.length).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    if (branches.size === 0) continue;
    const all = [...branches.values()];
    const typesOnly = all.every((list) => list.length === 1 && list[0]?.keyword === 'type' && list[0].instancePath === summary.instancePath);
    let replacement: ErrorObject[];
    if (typesOnly) {
      const types = [...new Set(all.flatMap((list) => [String((list[0]?.params as { type?: unknown }).type)]))];
      replacement = [{ ...summary, keyword: 'type', message: `must be ${types.join(' or ')}` }];
    } else {
      const depth = (list: readonly ErrorObject[]): number => Math.max(...list.map((e) => e.instancePath.split('/').length));
      const best = all.reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b.length < a.length) ? b : a));
      replacement = best;
    }
    const dropped = new Set([summary, ...all.flat()]);
    const at = kept.indexOf(summary);
    kept = [...kept.slice(0, at).filter((e) => !dropped.has(e)), ...replacement, ...kept.slice(at + 1).filter((e) => !dropped.has(e))];
  }
  return kept;
}

/** The first complaint about each value: a second one about the same argument is noise until the first is fixed. */
function onePerArgument(errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (e.keyword === 'required' || e.keyword === 'additionalProperties') return true; // each names its own argument
    if (seen.has(e.instancePath)) return false;
    seen.add(e.instancePath);
    return true;
  });
}

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? 'the arguments' : `argument ${JSON.stringify(pointerToPath(e.instancePath))}`;
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'required') return `missing required argument ${JSON.stringify(joinPath(e.instancePath, String(params.missingProperty)))}`;
  if (e.keyword === 'additionalProperties') {
    return `unexpected argument ${JSON.stringify(joinPath(e.instancePath, String(params.additionalProperty)))}`;
  }
  if (e.keyword === 'pattern') {
    // A confinement pattern is long and unreadable: cut it, and let the schema's description say the rule.
    const pattern = String(params.pattern);
    const shown = pattern.length > 40 ? `${pattern.slice(0, 39)}…` : pattern;
    const description = (e.parentSchema as { description?: unknown } | undefined)?.description;
    const rule = typeof description === 'string' && pattern.length > 40 ? ` (${description.slice(0, 300)})` : '';
    return `${where} must match pattern ${JSON.stringify(shown)}${rule}`;
  }
  return `${where} ${e.message ?? `fails ${e.keyword}`}`;
}

function pointerToPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function joinPath(pointer: string, key: string): string {
  const base = pointerToPath(pointer);
  return base === '' ? key : `${base}.${key}`;
}
