/**
 * Turns zod issues into the readable lines of a configuration error: `<file>: <key path>: expected …,
 * got …`. Values are only quoted where they cannot be secrets (enum mismatches, numbers, booleans):
 * the configuration holds expanded tokens.
 */
import { z } from 'zod';
import { ActionSchema, ConfigSchema } from './schema.js';
import { OAuthSchema, normalizeClientKeys, schemaOfKind, serverKind } from './server-schema.js';

type Segment = PropertyKey;

/** `mcpServers.email-server.args[0]`; keys that are not plain names are bracketed and quoted. */
export function formatKeyPath(path: readonly Segment[]): string {
  if (path.length === 0) return '(top level)';
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_$-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  return issues.flatMap((issue) => describeIssue(issue, raw));
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown): string[] {
  const where = formatKeyPath(issue.path);
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return [`${where}: missing; expected ${describeExpected(issue.expected)}`];
      return [`${where}: expected ${describeExpected(issue.expected)}, got ${describeValue(value)}`];
    case 'unrecognized_keys': {
      const known = knownKeys(issue.path, raw);
      const hint = known ? `; expected one of: ${known.join(', ')}` : '';
      return issue.keys.map((key) => `${formatKeyPath([...issue.path, key])}: unknown key${hint}`);
    }
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v)).join(', ');
      const expected = issue.values.length === 1 ? options : `one of ${options}`;
      return [`${where}: expected ${expected}, got ${describeValue(value, true)}`];
    }
    case 'too_small':
    case 'too_big':
      return [`${where}: expected ${describeBound(issue)}, got ${describeValue(value)}`];
    case 'invalid_format':
      if (issue.format === 'url') {
        return [`${where}: expected an http:// or https:// URL (for example http://127.0.0.1:8080/mcp)`];
      }
      return [`${where}: expected ${issue.format} format`];
    default:
      return [`${where}: ${issue.message}`];
  }
}

function describeExpected(expected: string): string {
  const names: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'an integer',
    boolean: 'true or false',
    array: 'a list ([...])',
    object: 'an object ({...})',
    record: 'an object ({...})',
  };
  return names[expected] ?? expected;
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === 'too_small';
  const limit = small ? (issue as z.core.$ZodIssueTooSmall).minimum : (issue as z.core.$ZodIssueTooBig).maximum;
  if (issue.origin === 'string' && small && Number(limit) === 1) return 'a non-empty string';
  if (issue.origin === 'number') {
    const op = small ? (issue.inclusive ? '>=' : '>') : issue.inclusive ? '<=' : '<';
    return `a number ${op} ${String(limit)}`;
  }
  return `${issue.origin} ${small ? 'of at least' : 'of at most'} ${String(limit)} items`;
}

function describeValue(value: unknown, quoteStrings = false): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    if (!quoteStrings) return value === '' ? 'an empty string' : 'a string';
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value === 'object' ? 'an object' : typeof value;
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

/** The keys a strict object at `path` accepts, to suggest the right spelling. */
function knownKeys(path: readonly Segment[], raw: unknown): string[] | undefined {
  const first = path[0];
  if (path.length === 0) return Object.keys(ConfigSchema.shape);
  if (path.length === 1 && typeof first === 'string' && first in ConfigSchema.shape) {
    return objectKeys(ConfigSchema.shape[first as keyof typeof ConfigSchema.shape]);
  }
  if (path.length === 2 && first === 'actions') return Object.keys(ActionSchema.shape);
  if (path.length === 2 && first === 'mcpServers') {
    const entry = valueAt(raw, path);
    const normalized = typeof entry === 'object' && entry !== null ? normalizeClientKeys(entry as Record<string, unknown>) : entry;
    return Object.keys(schemaOfKind(serverKind(normalized)).shape);
  }
  if (path.length === 3 && first === 'mcpServers' && path[2] === 'oauth') return objectKeys(OAuthSchema.in as z.ZodType);
  return undefined;
}

/** Keys of an object schema behind `.default()`/`.optional()` wrappers (execution, logging, …). */
function objectKeys(schema: z.ZodType): string[] | undefined {
  let inner: z.ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner.unwrap() as z.ZodType;
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : undefined;
}
