/**
 * JSON with comments (`//`, `/* *\/`) and trailing commas, the dialect of the spec's example and of
 * the Claude configs users paste in. Hand-rolled because it is ~50 lines and no JSONC parser is a
 * dependency: comments and trailing commas are blanked with spaces (newlines kept), so positions in
 * JSON.parse errors still point at the user's text.
 */

export type JsoncResult = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonc(text: string): JsoncResult {
  const source = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  const cleaned = blankTrailingCommas(blankComments(source));
  try {
    return { ok: true, value: JSON.parse(cleaned) as unknown };
  } catch (error) {
    return { ok: false, message: describeSyntaxError(cleaned, error) };
  }
}

/** Replaces every character of a comment except line breaks with a space. */
export function blankComments(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') out[i++] = ' ';
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      for (; i < stop; i++) if (text[i] !== '\n' && text[i] !== '\r') out[i] = ' ';
    } else {
      i++;
    }
  }
  return out.join('');
}

/** Replaces a comma followed only by whitespace and `}` or `]` with a space. */
export function blankTrailingCommas(text: string): string {
  const out = text.split('');
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '"') {
      i = skipString(text, i);
      continue;
    }
    if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j] ?? '')) j++;
      if (text[j] === '}' || text[j] === ']') out[i] = ' ';
    }
    i++;
  }
  return out.join('');
}

/** Index just past the string literal starting at `start` (a `"`). */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"' || c === '\n') return i + 1;
    else i++;
  }
  return i;
}

function describeSyntaxError(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 quotes a snippet of the input after the reason, cut short with ... on a long line; drop it (it may hold a literal secret).
  const reason = raw.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(raw)?.[1];
  if (position === undefined) return `invalid JSON: ${reason}`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: invalid JSON: ${reason}`;
}
