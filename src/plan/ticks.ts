/**
 * Ticking a step's checklist item (`- [ ]` → `- [x]`) in the plan file as it is on disk now, which a
 * human may have edited since the plan was parsed: the item is found by its text, nearest to where the
 * parse saw it (shifted by however much the front matter grew or shrank). Pure.
 */
import { findFrontMatter, splitLines, type Line } from './lines.js';

const CHECKBOX = /^([ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[) \]/;
const ITEM = /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+\[[ xX]\](?:[ \t]+(.*))?$/;

export function tick(text: string): string {
  return text.replace(CHECKBOX, '$1x]');
}

/** Where a step was when its plan was parsed. */
export interface StepLocation {
  /** 1-based line of its `- [ ]` item in the parsed text. */
  readonly line: number;
  /** The item's text. */
  readonly text: string;
  /** 1-based line where the parsed text's body started (Plan.bodyLine). */
  readonly bodyLine: number;
}

/**
 * The 1-based line of the step's item in `text` now: the item with the same text nearest to where it
 * should be; undefined when no item has that text any more (then nothing is ticked).
 */
export function locateStep(text: string, step: StepLocation): number | undefined {
  const lines = splitLines(text);
  const bodyLine = (findFrontMatter(lines)?.close ?? -1) + 2;
  const expected = step.line + (bodyLine - step.bodyLine);
  let best: number | undefined;
  for (let i = bodyLine - 1; i < lines.length; i++) {
    const item = ITEM.exec((lines[i] as Line).text);
    if (item === null || !sameItem((item[1] ?? '').trim(), step.text.trim())) continue;
    if (best === undefined || Math.abs(i + 1 - expected) < Math.abs(best - expected)) best = i + 1;
  }
  return best;
}

/** An item's first line against the parsed text, which joins lazy continuation lines with spaces. */
function sameItem(firstLine: string, parsed: string): boolean {
  return firstLine === parsed || (firstLine !== '' && parsed.startsWith(`${firstLine} `));
}
