/**
 * JSON with comments (`//`, `/* *\/`) and trailing commas, the dialect of the spec's example and of
 * the Claude configs users paste in. jsonc-parser's scanner finds the comments and commas; they are
 * blanked with spaces (newlines kept) and JSON.parse reads the rest, so its errors (and their
 * positions) still point at the user's text.
 */
import { createScanner, parse, SyntaxKind, type ParseError } from 'jsonc-parser';

export type JsoncResult = { ok: true; value: unknown } | { ok: false; message: string };

export function parseJsonc(text: string): JsoncResult {
  const source = text.startsWith('\uFEFF') ? ` ${text.slice(1)}` : text;
  const cleaned = blankCommentsAndTrailingCommas(source);
  try {
    return { ok: true, value: JSON.parse(cleaned) as unknown };
  } catch (error) {
    return { ok: false, message: describeSyntaxError(cleaned, error) };
  }
}

/** Replaces every character of a comment except line breaks, and a comma before `}` or `]`, with a space. */
function blankCommentsAndTrailingCommas(text: string): string {
  const out = text.split('');
  const scanner = createScanner(text, false);
  let comma: number | undefined;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EOF; kind = scanner.scan()) {
    const start = scanner.getTokenOffset();
    if (kind === SyntaxKind.LineCommentTrivia || kind === SyntaxKind.BlockCommentTrivia) {
      // An unclosed block comment is reported one character longer than the text: stop at its end.
      const end = Math.min(start + scanner.getTokenLength(), text.length);
      for (let i = start; i < end; i++) if (text[i] !== '\n' && text[i] !== '\r') out[i] = ' ';
    } else if (kind !== SyntaxKind.Trivia && kind !== SyntaxKind.LineBreakTrivia && !isOtherSpace(kind, scanner.getTokenValue())) {
      if (comma !== undefined && (kind === SyntaxKind.CloseBraceToken || kind === SyntaxKind.CloseBracketToken)) out[comma] = ' ';
      comma = kind === SyntaxKind.CommaToken ? start : undefined;
    }
  }
  return out.join('');
}

/** Unicode spaces JSON does not allow (U+00A0, U+FEFF, …) still count as space before a trailing comma's bracket. */
function isOtherSpace(kind: SyntaxKind, value: string): boolean {
  return kind === SyntaxKind.Unknown && /^\s+$/.test(value);
}

function describeSyntaxError(text: string, error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  // V8 quotes a snippet of the input after the reason, cut short with ... on a long line; drop it (it may hold a literal secret).
  const reason = raw.replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '').replace(/ in JSON at position \d+.*$/s, '');
  const position = /at position (\d+)/.exec(raw)?.[1] ?? firstErrorOffset(text);
  if (position === undefined) return `invalid JSON: ${reason}`;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `line ${line}, column ${column}: invalid JSON: ${reason}`;
}

/**
 * Where jsonc-parser first stumbles: V8 gives no position when it quotes the input instead (an unquoted
 * value, a single quote), the commonest slips in a pasted config. Only on the failure path.
 */
function firstErrorOffset(text: string): number | undefined {
  const errors: ParseError[] = [];
  parse(text, errors, { allowTrailingComma: true });
  return errors[0]?.offset;
}
