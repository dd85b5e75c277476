import { STEP_BLOCK_LANGS, type RawField, type RawItem } from './checklist.js';
import { parseStrictJson } from './json-strict.js';
import { problem, quote } from './problems.js';
import { addStep, type Actions, type BuiltSteps } from './step-build.js';
import type { PlanProblem } from './types.js';
import { isMapping, kindOf, parseYaml } from './yaml-safe.js';

const SELECTOR_KEYS = new Set(['action', 'server', 'tool']);

/** Shape B: one step per checklist item (SPEC §5). */
export function checklistSteps(
  items: readonly RawItem[],
  file: string,
  actions: Actions,
): BuiltSteps {
  const built: BuiltSteps = { steps: [], problems: [] };
  const { problems } = built;
  let index = 0;
  for (const item of items) {
    if (item.text === '' && item.blocks.length === 0 && item.fields.length === 0) continue; // an empty bullet
    index++;
    const loc = { file, step: index, line: item.line };
    const before = problems.length;

    if (item.box !== undefined && item.box !== ' ' && item.box.toLowerCase() !== 'x') {
      problems.push(problem('step_syntax', `checkbox [${item.box}] is not understood: use [ ] for a step to run or [x] for one already done`, loc));
    }
    const done = item.box?.toLowerCase() === 'x';

    const blocks = item.blocks.filter((b) => STEP_BLOCK_LANGS.has(b.lang));
    const selectorBullets = item.fields.some((f) => SELECTOR_KEYS.has(f.key));
    if (blocks.length > 1) {
      problems.push(problem('step_syntax', `the step has ${blocks.length} yaml/json blocks: put all its fields in one`, loc));
    }
    if (blocks.length > 0 && selectorBullets) {
      problems.push(problem('step_syntax', 'the step has both a yaml/json block and `key: value` sub-bullets naming an action: use one', loc));
    }
    if (selectorBullets && item.notes > 0) {
      problems.push(problem('step_syntax', 'the step mixes `key: value` sub-bullets with other sub-bullets: make every sub-bullet `key: value`, or use a yaml block', loc));
    }
    if (problems.length > before) continue;

    let raw: Record<string, unknown> | undefined;
    const block = blocks[0];
    if (block !== undefined) {
      const parsed = block.lang === 'json' ? parseStrictJson(block.content) : parseYaml(block.content);
      if (!parsed.ok) {
        const line = parsed.line !== undefined ? block.line + parsed.line : block.line;
        const what = block.lang === 'json' ? 'is not strict JSON' : 'is not valid';
        problems.push(problem('step_syntax', `the step's ${block.lang} block ${what}: ${parsed.message}`, { ...loc, line }));
        continue;
      }
      if (parsed.value !== null && !isMapping(parsed.value)) {
        problems.push(problem('step_syntax', `the step's ${block.lang} block must be a mapping of key: value, got ${kindOf(parsed.value)}`, loc));
        continue;
      }
      raw = parsed.value ?? {};
    } else if (item.fields.length > 0 && item.notes === 0) {
      const fromBullets = bulletFields(item.fields, loc, problems);
      if (fromBullets === undefined) continue;
      raw = fromBullets;
    }
    addStep(built, { index, text: item.text, done, line: item.line, origin: block !== undefined ? 'explicit' : 'loose' }, raw, actions, loc);
  }
  return built;
}

function bulletFields(
  fields: readonly RawField[],
  loc: { file: string; step: number; line: number },
  problems: PlanProblem[],
): Record<string, unknown> | undefined {
  const entries: [string, unknown][] = [];
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.key)) {
      problems.push(problem('step_syntax', `sub-bullet key ${quote(f.key)} is given twice: keep one`, { ...loc, line: f.line }));
      return undefined;
    }
    seen.add(f.key);
    entries.push([f.key, bulletValue(f.value)]);
  }
  return Object.fromEntries(entries);
}

/**
 * A sub-bullet value is literal text unless it is plainly something else: a number, true/false/null,
 * a quoted string, or a flow list/mapping. Plain YAML would cut `Issue #42` at the `#` and read
 * `a: b` as a mapping, which is not what someone writing a bullet means.
 */
function bulletValue(raw: string): unknown {
  if (raw === '') return null;
  const structured = /^["'[{]/.test(raw);
  const scalar = /^(?:[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|true|false|null|~)$/i.test(raw);
  if (!structured && !scalar) return raw;
  if (raw.startsWith('{{')) return raw; // an unquoted template, not a flow mapping
  const parsed = parseYaml(raw);
  return parsed.ok ? parsed.value : raw;
}
