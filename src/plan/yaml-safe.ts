import { LineCounter, isCollection, parseDocument, visit } from 'yaml';

/**
 * The one place plan YAML is parsed (front matter, step blocks, sub-bullet values). The `yaml`
 * package with the core schema keeps timestamps as strings and has no code-executing tags; duplicate
 * keys are errors; aliases are capped so an alias bomb fails fast.
 */

export type YamlResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly message: string; /** 1-based line within the source, when known. */ readonly line?: number };

const MAX_ALIAS_COUNT = 20;
const MAX_FLOW_DEPTH = 64;
const MAX_LINE_PREFIX = 128;

export function parseYaml(src: string): YamlResult {
  const deep = tooDeep(src);
  if (deep !== undefined) return deep;
  const lineCounter = new LineCounter();
  let doc;
  try {
    doc = parseDocument(src, {
      schema: 'core',
      uniqueKeys: true,
      strict: true,
      prettyErrors: false,
      logLevel: 'error',
      lineCounter,
    });
  } catch (err) {
    return { ok: false, message: `YAML could not be parsed: ${errorText(err)}` };
  }
  const first = doc.errors[0] ?? doc.warnings[0];
  if (first !== undefined) {
    const line = first.pos ? lineCounter.linePos(first.pos[0]).line : undefined;
    return { ok: false, message: first.message, ...(line !== undefined ? { line } : {}) };
  }
  let badKeyLine: number | undefined;
  let badKey = false;
  visit(doc, {
    Pair(_key, pair) {
      if (isCollection(pair.key)) {
        badKey = true;
        const start = pair.key.range?.[0];
        if (start !== undefined) badKeyLine = lineCounter.linePos(start).line;
        return visit.BREAK;
      }
      return undefined;
    },
  });
  if (badKey) {
    return {
      ok: false,
      message: 'a mapping key is itself a list or mapping; keys must be plain names',
      ...(badKeyLine !== undefined ? { line: badKeyLine } : {}),
    };
  }
  try {
    return { ok: true, value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
  } catch (err) {
    return { ok: false, message: errorText(err) };
  }
}

/**
 * Deep nesting makes the YAML parser recurse until the stack overflows, and an overflow inside V8's
 * regexp compiler can abort the whole process; so refuse it before parsing. Conservative and cheap:
 * no real plan nests flow collections 64 deep or indents a line 128 columns.
 */
export function tooDeep(src: string): YamlResult | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 91 || c === 123) {
      depth++;
      if (depth > MAX_FLOW_DEPTH) {
        return deepError(line, `more than ${MAX_FLOW_DEPTH} brackets ([ or {) are open at once; quote or close them`);
      }
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  const lines = src.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const prefix = /^[ \t\-?:]*/.exec(lines[i] ?? '')?.[0] ?? '';
    if (prefix.length > MAX_LINE_PREFIX) {
      return deepError(i + 1, `a line is indented or nested more than ${MAX_LINE_PREFIX} columns deep; flatten it`);
    }
  }
  return undefined;
}

function deepError(line: number, why: string): YamlResult {
  return { ok: false, message: `nested too deeply: ${why}`, line };
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0] ?? text;
}

/** A plain JSON-like mapping (not an array, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What a parsed YAML value is, for "expected a mapping, got …" messages. */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
