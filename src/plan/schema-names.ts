/**
 * What names an object schema declares (SPEC §5): the argument names a tool's `inputSchema` accepts and
 * the fields its `outputSchema` can hold, with a "did you mean" for a name that is close to one of them.
 * A schema that sets `additionalProperties` (or `patternProperties`, `unevaluatedProperties`) to anything
 * but `false` takes any name; one that leaves it unset is read as closed, because that is what zod-built
 * tool schemas mean and a misspelled argument must never be dropped silently. Pure.
 */
import { isMapping as isSchema } from './yaml-safe.js';

type Schema = Readonly<Record<string, unknown>>;

/** `names` is undefined when the schema accepts any name (or is too dynamic to tell). */
export interface DeclaredNames {
  readonly names?: ReadonlySet<string>;
}

const OPEN: DeclaredNames = {};
const COMBINERS = ['allOf', 'anyOf', 'oneOf'] as const;

/** Does this (sub)schema itself allow names beyond its `properties`? */
function opensItself(schema: Schema): boolean {
  if (typeof schema.$ref === 'string' || typeof schema.$dynamicRef === 'string') return true;
  if (isSchema(schema.patternProperties) && Object.keys(schema.patternProperties).length > 0) return true;
  for (const key of ['additionalProperties', 'unevaluatedProperties'] as const) {
    const value = schema[key];
    if (value !== undefined && value !== false) return true;
  }
  return false;
}

/**
 * The property names an object schema declares, its own and those of its subschemas (allOf/anyOf/oneOf,
 * then/else, dependent schemas: a name any of them declares is known). Open when any of them opens itself.
 */
export function declaredNames(schema: unknown, depth = 0): DeclaredNames {
  if (schema === true || !isSchema(schema) || depth > 16) return OPEN;
  if (opensItself(schema)) return OPEN;
  const names = new Set<string>(isSchema(schema.properties) ? Object.keys(schema.properties) : []);
  let branches = 0;
  for (const list of subschemaLists(schema)) {
    for (const branch of list) {
      // A branch that only adds `required` (as the bundled servers' anyOf does) declares nothing new.
      if (isSchema(branch) && Object.keys(branch).every((k) => k === 'required' || k === 'description' || k === 'title')) continue;
      branches++;
      const inner = declaredNames(branch, depth + 1);
      if (inner.names === undefined) return OPEN;
      for (const name of inner.names) names.add(name);
    }
  }
  // Neither properties nor branches: an untyped object schema (`{}`, `{type: "object"}`) takes anything.
  if (names.size === 0 && branches === 0 && !isSchema(schema.properties)) return OPEN;
  return { names };
}

/** Subschemas that may declare more names: allOf/anyOf/oneOf branches, then/else, dependent schemas. */
function subschemaLists(schema: Schema): unknown[][] {
  const lists: unknown[][] = [];
  for (const key of COMBINERS) if (Array.isArray(schema[key])) lists.push(schema[key] as unknown[]);
  lists.push([schema.then, schema.else].filter((v) => v !== undefined));
  for (const key of ['dependentSchemas', 'dependencies'] as const) {
    const map = schema[key];
    if (isSchema(map)) lists.push(Object.values(map).filter((v) => isSchema(v)));
  }
  return lists;
}

/** Argument names `args` gives that `schema` does not declare, each with its closest declared name. */
export function unknownNames(schema: unknown, names: Iterable<string>): { readonly name: string; readonly suggestion?: string }[] {
  const declared = declaredNames(schema).names;
  if (declared === undefined) return [];
  const unknown: { name: string; suggestion?: string }[] = [];
  for (const name of names) {
    if (declared.has(name)) continue;
    const suggestion = closestName(name, declared);
    unknown.push({ name, ...(suggestion !== undefined ? { suggestion } : {}) });
  }
  return unknown;
}

/**
 * The schema a property path leads to, or where it leaves what the schema declares. Arrays are followed
 * through `items` (a numeric part), objects through `properties`; a part the schema cannot rule out
 * (an open object, a `$ref`, no schema at all) ends the check with success.
 */
export function followSchemaPath(
  schema: unknown,
  path: readonly string[],
): { readonly ok: true } | { readonly ok: false; readonly depth: number; readonly known: readonly string[]; readonly suggestion?: string } {
  let current: unknown = schema;
  for (let depth = 0; depth < path.length; depth++) {
    const part = path[depth] ?? '';
    if (!isSchema(current)) return { ok: true };
    if (isSchema(current.items) && /^\d+$/.test(part)) {
      current = current.items;
      continue;
    }
    const declared = declaredNames(current).names;
    if (declared === undefined) return { ok: true };
    if (!declared.has(part)) {
      const suggestion = closestName(part, declared);
      return { ok: false, depth, known: [...declared], ...(suggestion !== undefined ? { suggestion } : {}) };
    }
    current = propertySchema(current, part);
  }
  return { ok: true };
}

/** The subschema of property `name`, from the schema's own properties or the first branch declaring it. */
function propertySchema(schema: Schema, name: string): unknown {
  if (isSchema(schema.properties) && Object.hasOwn(schema.properties, name)) return schema.properties[name];
  for (const key of COMBINERS) {
    const list = schema[key];
    if (!Array.isArray(list)) continue;
    for (const branch of list) {
      if (isSchema(branch) && isSchema(branch.properties) && Object.hasOwn(branch.properties, name)) return branch.properties[name];
    }
  }
  return undefined;
}

/**
 * The declared name `name` is most likely a slip for: same letters in another case, or within a small
 * edit distance (one edit for short names, more for long ones, never half the name). Undefined when nothing is close.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  const limit = Math.max(1, Math.floor(name.length / 4));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = candidate.toLowerCase() === lower ? 0 : editDistance(lower, candidate.toLowerCase(), limit);
    // A name of one or two letters is all edit: only its case can be a slip.
    if (distance <= limit && (distance === 0 || distance * 2 < name.length) && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Optimal-string-alignment distance (a swap of two neighbours counts as one edit), cut off above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  if (a.length > 200 || b.length > 200) return limit + 1; // a hostile name: nothing is close to it
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, (before[j - 2] ?? 0) + 1);
      row.push(value);
    }
    before = previous;
    previous = row;
  }
  return previous[b.length] ?? limit + 1;
}
