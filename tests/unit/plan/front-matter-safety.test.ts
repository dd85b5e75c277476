import matter from 'gray-matter';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePlan } from '../../../src/plan/parse.js';
import { actions } from './fixtures.js';

const g = globalThis as { __planPwned?: unknown };
// gray-matter's typings omit its module cache, which is exactly what this test looks at.
const gm = matter as typeof matter & { cache: Record<string, unknown>; clearCache(): void };

describe('front matter is data, never code', () => {
  afterEach(() => {
    delete g.__planPwned;
  });

  for (const lang of ['js', 'javascript', 'coffee', 'Javascript']) {
    it(`---${lang} is refused without being evaluated`, () => {
      const text = `---${lang}\n{ action: (globalThis.__planPwned = 'yes', 'send_email') }\n---\n## Steps\n- Call\n`;
      const result = parsePlan(text, 'evil.md', actions);
      expect(result.ok).toBe(false);
      expect(g.__planPwned).toBeUndefined();
    });
  }

  it('does not read or fill gray-matter\'s shared cache', () => {
    const text = '---\naction: send_email\nto: a@b.co\nsubject: hi\n---\nbody\n';
    // Someone else in the process used gray-matter without options: its cache now holds this content.
    const poisoned = matter(text);
    poisoned.data.action = 'post_linkedin';
    expect(Object.keys(gm.cache)).toContain(text);

    const first = parsePlan(text, 'a/one.md', actions);
    const second = parsePlan(text, 'b/two.md', actions);
    expect(first.ok && first.plan.steps[0]).toMatchObject({ action: 'send_email' });
    expect(second.ok && second.plan.id).toBe('two');
    expect(first.ok && first.plan.id).toBe('one');
    // Results are independent objects: changing one cannot change the other.
    if (first.ok && second.ok) expect(first.plan.frontMatter).not.toBe(second.plan.frontMatter);
    gm.clearCache();
    parsePlan(text, 'c.md', actions);
    expect(Object.keys(gm.cache)).toHaveLength(0);
  });

  it('keeps a __proto__ key as plain data without touching prototypes', () => {
    for (const front of ['__proto__: {polluted: true}', 'args:\n  __proto__: {polluted: true}']) {
      const result = parsePlan(`---\naction: send_email\n${front}\n---\n`, 'p.md', actions);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const args = (result.plan.steps[0] as { args: Record<string, unknown> }).args;
      expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
      expect(Object.hasOwn(args, '__proto__')).toBe(true);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    }
  });

  it('reads JSON front matter through the same safe parser', () => {
    const result = parsePlan('---json\n{"action": "send_email", "to": "a@b.co"}\n---\n', 'j.md', actions);
    expect(result.ok && result.plan.steps[0]).toMatchObject({ action: 'send_email', args: { to: 'a@b.co' } });
  });

  it('treats a file starting with ---- as having no front matter', () => {
    const result = parsePlan('----\n## Steps\n- Call\n', 'h.md', actions);
    expect(result.ok && result.plan.steps).toHaveLength(1);
  });
});
