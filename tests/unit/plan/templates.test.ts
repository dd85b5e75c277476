import { describe, expect, it } from 'vitest';
import { findTemplateRefs, parseTemplate, resolveTemplates, TemplateError, type TemplateContext, type TemplateResult } from '../../../src/plan/templates.js';

/** Results by step id, looked up as the executor does (own ids only). */
function results(byId: Record<string, TemplateResult>): TemplateContext['steps'] {
  return (id) => (Object.hasOwn(byId, id) ? byId[id] : undefined);
}

const DRAFT: TemplateResult = { text: 'Hello Acme', structured: { count: 3, items: [{ id: 'a1' }, { id: 'a2' }], meta: { ok: true } } };

const ctx: TemplateContext = {
  steps: results({ draft: DRAFT, plain: { text: 'no structure' } }),
  plan: { id: 'p1', client: { name: 'Acme' }, budget: 1200 },
  now: new Date('2026-02-16T12:00:00.000Z'),
};

describe('findTemplateRefs', () => {
  it('finds step ids in nested arguments, once each, with the JSON pointers holding templates', () => {
    const scan = findTemplateRefs({
      to: 'x@y.z',
      body: 'Hi {{ steps.draft.text }} and {{steps.draft.structured.count}}',
      list: [{ note: '{{ steps.other.structured.items.0.id }}' }, 5],
      'a/b': '{{ now }} {{ plan.client.name }}',
    });
    expect(scan.stepIds).toEqual(['draft', 'other']);
    expect(scan.refs).toEqual([
      { stepId: 'draft', pointer: '/body', template: '{{ steps.draft.text }}' },
      { stepId: 'draft', pointer: '/body', template: '{{steps.draft.structured.count}}', structuredPath: ['count'] },
      { stepId: 'other', pointer: '/list/0/note', template: '{{ steps.other.structured.items.0.id }}', structuredPath: ['items', '0', 'id'] },
    ]);
    expect(scan.templated).toEqual(['/body', '/list/0/note', '/a~1b']);
    expect(scan.planRefs).toEqual([{ path: ['client', 'name'], pointer: '/a~1b', template: '{{ plan.client.name }}' }]);
    expect(scan.problems).toEqual([]);
  });

  it('never looks at keys', () => {
    expect(findTemplateRefs({ '{{ steps.x.text }}': 1 }).stepIds).toEqual([]);
  });

  it.each([
    ['{{ }}', /empty/],
    ['{{ foo.bar }}', /unknown template root "foo": use steps, plan or now/],
    ['{{ steps.x }}', /name a step and a field/],
    ['{{ steps.x.output }}', /not "output"/],
    ['{{ steps.x.text.more }}', /`text` is a string and has no fields/],
    ['{{ now.year }}', /`now` has no fields/],
    ['{{ plan }}', /name a front-matter field/],
    ['{{ steps..text }}', /dotted path without spaces or empty parts/],
    ['{{ steps.my step.text }}', /dotted path without spaces/],
  ])('reports a malformed template %s', (template, message) => {
    const scan = findTemplateRefs({ a: [`x ${template}`] });
    expect(scan.problems).toHaveLength(1);
    expect(scan.problems[0]).toMatchObject({ pointer: '/a/0', template: template });
    expect(scan.problems[0]!.message).toMatch(message);
  });

  it('parses expressions', () => {
    expect(parseTemplate(' steps.a.structured ')).toEqual({ root: 'steps', id: 'a', field: 'structured', path: [] });
  });
});

describe('resolveTemplates', () => {
  it('keeps the type of a value when the string is exactly one template', () => {
    const out = resolveTemplates(
      {
        count: '{{ steps.draft.structured.count }}',
        items: '{{steps.draft.structured.items}}',
        first: '{{ steps.draft.structured.items.1.id }}',
        whole: '{{ steps.draft.structured }}',
        budget: '{{ plan.budget }}',
        text: '{{ steps.draft.text }}',
      },
      ctx,
    );
    expect(out).toEqual({
      count: 3,
      items: [{ id: 'a1' }, { id: 'a2' }],
      first: 'a2',
      whole: DRAFT.structured,
      budget: 1200,
      text: 'Hello Acme',
    });
  });

  it('interpolates into longer strings, objects as JSON, and resolves nested values', () => {
    const out = resolveTemplates(
      { body: 'To {{ plan.client.name }}: {{ steps.draft.text }} ({{ steps.draft.structured.meta }}, n={{ steps.draft.structured.count }}) at {{ now }}', nested: [{ s: 'id={{ plan.id }}' }], n: 7 },
      ctx,
    );
    expect(out).toEqual({
      body: 'To Acme: Hello Acme ({"ok":true}, n=3) at 2026-02-16T12:00:00.000Z',
      nested: [{ s: 'id=p1' }],
      n: 7,
    });
  });

  it('gives {{ now }} as an ISO string', () => {
    expect(resolveTemplates({ at: '{{ now }}' }, ctx)).toEqual({ at: '2026-02-16T12:00:00.000Z' });
  });

  it('does not expand templates that arrive inside a step result', () => {
    const out = resolveTemplates({ body: '{{ steps.evil.text }}!' }, { ...ctx, steps: results({ evil: { text: '{{ plan.budget }}' } }) });
    expect(out).toEqual({ body: '{{ plan.budget }}!' });
  });

  it('refuses to pass on a result that was cut to the size the journal keeps, naming the limit', () => {
    const cut = { ...ctx, steps: results({ big: { text: 'only the first part', textCut: true }, wide: { text: 'x', structuredCut: true } }) };
    expect(() => resolveTemplates({ body: '{{ steps.big.text }}' }, cut)).toThrow(
      /step "big"'s text was larger than the orchestrator keeps \(execution.maxResultBytes\)/,
    );
    expect(() => resolveTemplates({ n: '{{ steps.wide.structured.n }}' }, cut)).toThrow(/step "wide"'s structured result was larger/);
    // The parts that were kept whole stay usable.
    expect(resolveTemplates({ t: '{{ steps.wide.text }}' }, cut)).toEqual({ t: 'x' });
  });

  it('does not change the input', () => {
    const args = { body: '{{ steps.draft.text }}' };
    resolveTemplates(args, ctx);
    expect(args).toEqual({ body: '{{ steps.draft.text }}' });
  });

  it.each([
    ['{{ steps.missing.text }}', /template \{\{ steps.missing.text \}\}: step "missing" has no result \(has it run\?\)/],
    ['{{ steps.constructor.text }}', /step "constructor" has no result/],
    ['{{ steps.plain.structured.a }}', /step "plain" returned no structured content/],
    ['x {{ steps.draft.structured.items.5.id }}', /structured result has no "items.5"/],
    ['{{ steps.draft.structured.meta.nope }}', /has no "meta.nope"/],
    ['{{ steps.draft.structured.count.toFixed }}', /has no "count.toFixed"/],
    ['{{ plan.nothing }}', /the plan has no "nothing" field/],
    ['{{ plan.client.__proto__ }}', /the plan has no "client.__proto__" field/],
    ['{{ bogus }}', /unknown template root/],
  ])('throws a TemplateError for %s', (template, message) => {
    expect(() => resolveTemplates({ a: template }, ctx)).toThrowError(TemplateError);
    expect(() => resolveTemplates({ a: template }, ctx)).toThrowError(message);
  });
});
