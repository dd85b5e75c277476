/** The plan file as lines for pure text surgery (render.ts, ticks.ts, execution-log.ts). */
import { isJsonOpening } from './json-front-matter.js';

export interface Line {
  text: string;
  eol: string;
}

export const BOM = '\uFEFF';

/** Lines with their own line endings, so untouched lines are written back byte for byte. */
export function splitLines(text: string): Line[] {
  if (text === '') return [];
  return text.split(/(?<=\n)/).map((piece) => {
    const eol = piece.endsWith('\r\n') ? '\r\n' : piece.endsWith('\n') ? '\n' : '';
    return { text: piece.slice(0, piece.length - eol.length), eol };
  });
}

/** Index of the closing `---` line, when line 1 opens a YAML front matter (as the parser reads it). */
export function findFrontMatter(lines: Line[]): { close: number } | undefined {
  const first = lines[0]?.text.replace(BOM, '');
  if (first === undefined || !(/^---[ \t]*(?:ya?ml[ \t]*)?$/i.test(first) || isJsonOpening(first))) return undefined;
  const close = lines.findIndex((l, i) => i > 0 && l.text.startsWith('---'));
  return close === -1 ? undefined : { close };
}

/**
 * How many lines the front matter block takes (delimiters included; 0 without one). Setting fields
 * can change it, which shifts the body's line numbers by the difference.
 */
export function frontMatterLineCount(text: string): number {
  const fm = findFrontMatter(splitLines(text));
  return fm === undefined ? 0 : fm.close + 1;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((l) => l.text + l.eol).join('');
}
