/**
 * Finds the step items of a `## Steps` section in a markdown body, line by line. Hand-written rather
 * than a markdown library because we need only headings, list items and fenced blocks, and we need
 * exact 1-based file lines (the executor ticks `- [ ]` by line).
 */

export interface RawBlock {
  /** The info string's first word, lower-cased (`yaml`, `json`, …). */
  readonly lang: string;
  readonly content: string;
  /** File line of the opening fence. */
  readonly line: number;
}

export interface RawField {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

export interface RawItem {
  readonly line: number;
  /** The checkbox character: ' ' for `[ ]`, 'x' for `[x]`, undefined for a plain bullet or number. */
  readonly box?: string;
  readonly text: string;
  readonly blocks: readonly RawBlock[];
  /** `key: value` sub-bullets, in order. */
  readonly fields: readonly RawField[];
  /** Sub-bullets that are not `key: value`. */
  readonly notes: number;
}

export interface Checklist {
  readonly items: readonly RawItem[];
  /** Structural problems (an unclosed fence), with file lines. */
  readonly problems: readonly { readonly message: string; readonly line: number }[];
  /** Did the body have a heading containing "Steps"? */
  readonly hasSection: boolean;
}


// Applied to trimmed lines; no lazy quantifier before an anchor, so long lines cost linear time.
const HEADING = /^(#{1,6})(?:[ \t]+(.*))?$/;
const LIST_ITEM = /^([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$/;
const CHECKBOX = /^\[(.)\](?:[ \t]+(.*)|$)/;
const FENCE_OPEN = /^(`{3,}|~{3,})[ \t]*([^\s`]*)/;
export const STEP_BLOCK_LANGS: ReadonlySet<string> = new Set(['yaml', 'yml', 'json']);
const THEMATIC_BREAK = /^([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FIELD = /^([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]+(.*))?$/;

interface Item {
  line: number;
  box?: string;
  /** Text parts joined at the end: repeated concatenation would be quadratic on a hostile file. */
  text: string[];
  blocks: RawBlock[];
  fields: RawField[];
  notes: number;
  /** Still directly after the item line (lazy continuation text joins the item text). */
  open: boolean;
  /** Indentation of the first sub-bullet. */
  subIndent?: number;
}

export function extractChecklist(body: string, bodyLine: number): Checklist {
  const lines = body.split(/\r?\n/);
  const items: RawItem[] = [];
  const problems: { message: string; line: number }[] = [];
  let hasSection = false;
  let sectionLevel: number | undefined;
  let base: number | undefined;
  let current: Item | undefined;
  // An open fence: inside an item (its content is collected) or anywhere else (skipped).
  let fence: { char: string; len: number; indent: number; lang: string; line: number; content: string[]; inItem: boolean } | undefined;

  const finish = (): void => {
    if (current !== undefined) {
      const { open: _open, subIndent: _sub, text, ...item } = current;
      items.push({ ...item, text: text.join(' ') });
    }
    current = undefined;
  };

  lines.forEach((raw, i) => {
    const line = bodyLine + i;
    const indent = leadingSpace(raw).columns;
    const trimmed = raw.trim();

    if (fence !== undefined) {
      const close = /^(`{3,}|~{3,})[ \t]*$/.exec(trimmed);
      if (close?.[1] !== undefined && close[1].charAt(0) === fence.char && close[1].length >= fence.len) {
        if (fence.inItem && current !== undefined) {
          current.blocks.push({ lang: fence.lang, content: fence.content.join('\n'), line: fence.line });
        }
        fence = undefined;
      } else if (fence.inItem) fence.content.push(raw.slice(leadingSpace(raw, fence.indent).length));
      return;
    }

    const heading = indent <= 3 ? HEADING.exec(trimmed) : null;
    if (heading?.[1] !== undefined) {
      finish();
      const level = heading[1].length;
      // Any other heading ends the section, so a "### Notes" list under the steps is not run.
      if (/steps/i.test(heading[2] ?? '')) {
        hasSection = true;
        sectionLevel = level;
        base = undefined;
      } else sectionLevel = undefined;
      return;
    }

    const opener = FENCE_OPEN.exec(trimmed);
    if (trimmed === '') {
      if (current !== undefined) current.open = false;
      return;
    }
    const nested = current !== undefined && base !== undefined && indent >= base + 2;
    if (opener?.[1] !== undefined) {
      const lang = (opener[2] ?? '').toLowerCase();
      fence = {
        char: opener[1].charAt(0),
        len: opener[1].length,
        indent,
        lang,
        line,
        content: [],
        // A step block written flush under its item (not indented) still belongs to it.
        inItem: sectionLevel !== undefined && current !== undefined && (nested || STEP_BLOCK_LANGS.has(lang)),
      };
      if (!fence.inItem) finish();
      else if (current !== undefined) current.open = false;
      return;
    }
    if (sectionLevel === undefined) return;
    if (THEMATIC_BREAK.test(trimmed)) {
      finish();
      return;
    }

    const listItem = LIST_ITEM.exec(trimmed);
    if (listItem !== null && !nested && indent <= (base ?? 3) + 1) {
      finish();
      base ??= indent;
      const rest = listItem[2] ?? '';
      const box = CHECKBOX.exec(rest);
      current = {
        line,
        ...(box?.[1] !== undefined ? { box: box[1] } : {}),
        text: [(box !== null ? (box[2] ?? '') : rest).trim()].filter((t) => t !== ''),
        blocks: [],
        fields: [],
        notes: 0,
        open: true,
      };
      return;
    }
    if (current === undefined) return;
    if (nested && listItem !== null) {
      current.open = false;
      current.subIndent ??= indent;
      // Only direct sub-bullets can be fields; anything nested deeper is a note.
      const field = indent < current.subIndent + 2 ? FIELD.exec((listItem[2] ?? '').trim()) : null;
      if (field?.[1] !== undefined) current.fields.push({ key: field[1], value: (field[2] ?? '').trim(), line });
      else current.notes++;
      return;
    }
    if (current.open && (nested || listItem === null)) {
      current.text.push(trimmed);
      return;
    }
    if (!nested) finish();
  });

  // An unclosed fence in prose simply runs to the end (CommonMark); only a step's block is an error.
  if (fence?.inItem === true) {
    problems.push({ line: fence.line, message: `the fenced block opened on line ${fence.line} is never closed: add a closing ${fence.char.repeat(fence.len)} line` });
  }
  finish();
  return { items, problems, hasSection };
}

/**
 * A line's leading whitespace: its columns (a tab counting to the next multiple of 4) and its length in
 * characters, counting at most `upTo` columns (so a block nested under an item is dedented to plain YAML).
 */
function leadingSpace(line: string, upTo = Infinity): { columns: number; length: number } {
  let columns = 0;
  let length = 0;
  for (; length < line.length && columns < upTo; length++) {
    const ch = line.charAt(length);
    if (ch === ' ') columns++;
    else if (ch === '\t') columns += 4 - (columns % 4);
    else break;
  }
  return { columns, length };
}
