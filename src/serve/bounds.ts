/**
 * What a caller of the orchestrator's MCP server may send (SPEC §11: inputs are size-bounded), as zod
 * schemas that the tools' input schemas are built from, so every limit shows in `tools/list` too.
 */
import { z } from 'zod';
import { DEFAULT_MAX_BYTES } from '../plan/decode.js';

/** A plan's markdown: as large as the daemon accepts a plan file (1 MiB). */
export const MAX_MARKDOWN_BYTES = DEFAULT_MAX_BYTES;
export const MAX_NAME_CHARS = 200;
const MAX_ID_CHARS = 200;
const MAX_TEXT_CHARS = 2_000;
const MAX_METADATA_BYTES = 8 * 1024;
/** The longest a `wait_for_plan` may wait in one call; call it again to wait longer. */
export const MAX_WAIT_MS = 10 * 60_000;
export const MAX_LIST_LIMIT = 200;

export const markdownInput = z
  .string()
  .max(MAX_MARKDOWN_BYTES, { error: `the markdown is larger than a plan may be (${MAX_MARKDOWN_BYTES} bytes): split the plan into smaller ones` })
  .describe('the whole plan file: YAML front matter and markdown');

/**
 * A plan id as list_plans and submit_plan give it: never a path. Refused: separators, `..`, a leading
 * dot, control characters, so an id can never name a file outside the vault's plan folders.
 */
export const planIdInput = z
  .string()
  .min(1, { error: 'the id is empty: pass the id submit_plan or list_plans returned' })
  .max(MAX_ID_CHARS, { error: `the id is longer than ${MAX_ID_CHARS} characters: pass the id submit_plan or list_plans returned` })
  .refine((id) => isPlainId(id), {
    error: 'the id looks like a path (it has /, \\, "..", a leading dot or a control character): pass the plan id submit_plan or list_plans returned, not a file path',
  })
  .describe('the plan id (front-matter `id`, else the file name without .md), as submit_plan or list_plans return it');

export function isPlainId(id: string): boolean {
  return !/[/\\\u0000-\u001f\u007f]/.test(id) && !id.includes('..') && !id.startsWith('.') && id.trim() !== '';
}

export const textInput = (what: string, max = MAX_TEXT_CHARS) =>
  z.string().max(max, { error: `${what} is longer than ${max} characters: say it more briefly` });

export const metadataInput = z
  .record(z.string().max(100), z.unknown())
  .refine((value) => Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') <= MAX_METADATA_BYTES, {
    error: `metadata is larger than ${MAX_METADATA_BYTES} bytes as JSON: keep it to a few small fields`,
  });

/** Bytes of a string as UTF-8, for the limits zod counts in characters. */
export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
