import { problem } from './problems.js';
import type { PlanProblem } from './types.js';

export const DEFAULT_MAX_BYTES = 1024 * 1024;

export type Decoded = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly problem: PlanProblem };

// Lone surrogates cannot be encoded as UTF-8, so a string holding one did not come from a UTF-8 file.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The problem of a file over the size limit; callers that know the size from stat use it before reading. */
export function tooLargeProblem(bytes: number, file: string, maxBytes = DEFAULT_MAX_BYTES): PlanProblem {
  return problem('too_large', `the file is ${bytes} bytes; plans may be at most ${maxBytes} bytes: split it into smaller plans`, { file });
}

/**
 * The safety gate before any parsing (SPEC §9.5): size first (cheap), then binary content, then strict
 * UTF-8. A leading BOM is dropped; it is not part of the front matter.
 */
export function decodePlanText(input: string | Uint8Array, file: string, maxBytes = DEFAULT_MAX_BYTES): Decoded {
  const loc = { file };
  const tooLarge = (bytes: number): Decoded => ({ ok: false, problem: tooLargeProblem(bytes, file, maxBytes) });
  const binary: Decoded = {
    ok: false,
    problem: problem('not_utf8', 'the file contains NUL bytes, so it is binary, not a markdown plan: save it as UTF-8 text', loc),
  };
  const notUtf8: Decoded = {
    ok: false,
    problem: problem('not_utf8', 'the file is not valid UTF-8 text: save it with UTF-8 encoding', loc),
  };

  let text: string;
  if (typeof input === 'string') {
    // Every UTF-16 code unit takes at least one UTF-8 byte, so the length is a cheap lower bound.
    if (input.length > maxBytes) return tooLarge(input.length);
    if (LONE_SURROGATE.test(input)) return notUtf8;
    const bytes = new TextEncoder().encode(input).byteLength;
    if (bytes > maxBytes) return tooLarge(bytes);
    text = input;
  } else {
    if (input.byteLength > maxBytes) return tooLarge(input.byteLength);
    if (input.includes(0)) return binary;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      return notUtf8;
    }
  }
  if (text.includes('\u0000')) return binary;
  return { ok: true, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}
