/**
 * A ```json step block is JSON, not YAML that happens to look like it (SPEC §5): a trailing comma, a
 * comment, a single quote or a key given twice is an error, with the line it is on. Pure.
 */
import { visit } from 'jsonc-parser';
import { tooDeep, type YamlResult } from './yaml-safe.js';

export function parseStrictJson(src: string): YamlResult {
  // Later walks over the value recurse: nesting is bounded as YAML's is.
  const deep = tooDeep(src);
  if (deep !== undefined) return deep;
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (err) {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    const at = /at position (\d+)/.exec(message);
    let position = at ? Number(at[1]) : src.trimEnd().length;
    // A trailing comma is reported where it is, not at the bracket after it (maybe lines below).
    const comma = /,\s*$/.exec(src.slice(0, position));
    if (comma !== null && /[}\]]/.test(src.charAt(position))) position = comma.index;
    const line = lineAt(src, position);
    const why = message.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    const hint = /,\s*[}\]]/.test(src) ? ' (a trailing comma is not allowed in JSON)' : '';
    return { ok: false, message: `${why}${hint}: fix it, or write the block as \`\`\`yaml`, line };
  }
  const duplicate = firstDuplicateKey(src);
  if (duplicate !== undefined) {
    return { ok: false, message: `key ${JSON.stringify(duplicate.key)} is given twice in one object: keep one`, line: lineAt(src, duplicate.at) };
  }
  return { ok: true, value };
}

/**
 * JSON.parse keeps the last of two equal keys without a word; YAML refuses them, and so do we, since
 * `"to"` twice could send to the wrong person. Runs on text JSON.parse accepted, so the structure is sound.
 */
function firstDuplicateKey(src: string): { key: string; at: number } | undefined {
  const objects: Set<string>[] = [];
  let found: { key: string; at: number } | undefined;
  visit(src, {
    onObjectBegin: () => void objects.push(new Set()),
    onObjectEnd: () => void objects.pop(),
    onObjectProperty: (key, at) => {
      const keys = objects[objects.length - 1];
      if (found === undefined && keys?.has(key)) found = { key, at };
      keys?.add(key);
    },
  });
  return found;
}

function lineAt(src: string, position: number): number {
  return src.slice(0, position).split('\n').length;
}
