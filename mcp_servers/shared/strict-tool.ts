/**
 * Registers a tool whose arguments the server checks strictly itself: an unknown argument (`bodyy` for
 * `body`) is refused, never stripped, and every refusal is a §10 error result (`validation`, sent: false)
 * with one message that says which argument is wrong and how.
 *
 * Why not leave it to the SDK: McpServer (1.32) publishes a raw shape without `additionalProperties` and
 * silently strips unknown keys when parsing it; given a `z.strictObject` it does publish
 * `additionalProperties: false`, but answers a failed parse with a bare text error without
 * `structuredContent`, which the orchestrator cannot tell from any other failure. So the SDK is given a
 * pass-through object schema that carries the strict schema's JSON Schema as its metadata (what
 * `tools/list` publishes is exactly what zod emits for the strict schema: `additionalProperties: false`,
 * the path patterns, maxLength), and the handler parses the arguments with the strict schema.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { errorResult } from './result.js';

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export interface StrictToolConfig<Shape extends z.ZodRawShape> {
  readonly title?: string;
  readonly description: string;
  readonly input: Shape;
  readonly output: z.ZodType;
  readonly annotations: ToolAnnotations;
}

export type StrictArgs<Shape extends z.ZodRawShape> = z.output<z.ZodObject<Shape, z.core.$strict>>;

export function registerStrictTool<Shape extends z.ZodRawShape>(
  server: McpServer,
  name: string,
  config: StrictToolConfig<Shape>,
  handler: (args: StrictArgs<Shape>, extra: ToolExtra) => Promise<CallToolResult>,
): void {
  const strict = z.strictObject(config.input);
  const { $schema: _dialect, ...published } = z.toJSONSchema(strict, { target: 'draft-7', io: 'input' });
  server.registerTool(
    name,
    {
      ...(config.title === undefined ? {} : { title: config.title }),
      description: config.description,
      inputSchema: z.looseObject({}).meta(published),
      outputSchema: config.output,
      annotations: config.annotations,
    },
    async (raw, extra) => {
      const parsed = strict.safeParse(raw, { reportInput: true });
      if (!parsed.success) {
        return errorResult('validation', `${name}: ${describeIssues(parsed.error.issues, Object.keys(config.input))}`, { sent: false });
      }
      return handler(parsed.data, extra);
    },
  );
}

const MAX_REPORTED = 5;

/** The issues as one message: the first problem of each argument, at most a handful of arguments. */
function describeIssues(issues: readonly z.core.$ZodIssue[], known: readonly string[]): string {
  const byArgument = new Map<string, string>();
  for (const [argument, phrase] of issues.flatMap((issue) => describeIssue(issue, [], known))) {
    if (!byArgument.has(argument)) byArgument.set(argument, phrase);
  }
  const phrases = [...byArgument.values()];
  const shown = phrases.slice(0, MAX_REPORTED);
  if (phrases.length > shown.length) shown.push(`and ${phrases.length - shown.length} more`);
  return shown.join('; ');
}

/** [argument, phrase] pairs for one issue (several for unknown keys and unions). */
function describeIssue(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[], known: readonly string[]): [string, string][] {
  const at = [...prefix, ...issue.path];
  const name = at.map(String).join('.');
  switch (issue.code) {
    case 'unrecognized_keys': {
      const accepts = at.length === 0 ? `; it accepts ${known.join(', ')}` : '';
      return issue.keys.map((key) => {
        const full = [...at.map(String), key].join('.');
        const guess = at.length === 0 ? closest(key, known) : undefined;
        return [full, `unknown argument "${full}"${guess === undefined ? '' : ` (did you mean "${guess}"?)`}${accepts}`];
      });
    }
    case 'invalid_type':
      if (issue.input === undefined) return [[name, `missing required argument "${name}"`]];
      return [[name, `argument "${name}" must be ${article(issue.expected)}, not ${kindOf(issue.input)}`]];
    case 'invalid_union': {
      // The branch whose own type fits (its problems are deeper) is what the caller meant to write.
      const meant = issue.errors.find((branch) => !branch.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (meant !== undefined) return meant.flatMap((inner) => describeIssue(inner, at, known));
      const expected = issue.errors.flatMap((branch) => branch.filter((inner) => inner.code === 'invalid_type').map((inner) => article(inner.expected)));
      return [[name, `argument "${name}" must be ${[...new Set(expected)].join(' or ') || 'something else'}, not ${kindOf(issue.input)}`]];
    }
    case 'invalid_value':
      return [[name, `argument "${name}" must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`]];
    default:
      // Our own messages read as a phrase ("is empty; …"); zod's and the path refusals as a sentence.
      return [[name, `argument "${name}"${issue.message.startsWith('is ') ? ' ' : ': '}${issue.message}`]];
  }
}

function article(type: string): string {
  return type === 'array' ? 'a list' : type === 'object' ? 'an object' : type === 'integer' ? 'an integer' : `a ${type}`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${article(typeof value)} (${JSON.stringify(value)?.slice(0, 40)})`;
}

/**
 * The known argument nearest to a misspelt one, if any is within a couple of edits. Hand-written: a
 * dozen lines of Levenshtein distance, for which no dependency of ours has a helper.
 */
function closest(word: string, candidates: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
      }
      row = next;
    }
    return row[b.length] ?? Infinity;
  };
  const limit = Math.max(1, Math.floor(word.length / 3));
  const ranked = candidates.map((candidate) => ({ candidate, d: distance(word.toLowerCase(), candidate.toLowerCase()) })).sort((x, y) => x.d - y.d);
  return ranked[0] !== undefined && ranked[0].d <= limit ? ranked[0].candidate : undefined;
}
