/**
 * Argument names and argument messages (SPEC §5, issue 12): a name the tool's inputSchema does not declare
 * is refused with a "did you mean", also when the schema leaves `additionalProperties` unset (zod-built
 * servers); a schema that opens itself takes any name; an anyOf reads as one message per argument; a
 * free-text step mapped by keyword says which arguments it lacks and how to give them.
 */
import { describe, expect, it } from 'vitest';
import { validatePlan } from '../../../src/plan/validate.js';
import type { PlanProblem } from '../../../src/plan/types.js';
import { closestName, declaredNames, unknownNames } from '../../../src/plan/schema-names.js';
import { catalog, ctx, parsed } from './fixtures.js';
import { expectOne } from './helpers.js';

/** send_email as a zod-built server publishes it: no additionalProperties. */
const zodMail = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { to: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, subject: { type: 'string' }, body: { type: 'string' } },
  required: ['to', 'subject'],
};
const withMail = (inputSchema: Record<string, unknown>) => ctx({ tools: catalog({ 'email-server': [{ name: 'send_email', inputSchema }] }) });

function problemsOf(text: string, context = withMail(zodMail)): readonly PlanProblem[] {
  const result = validatePlan(parsed(text), context);
  if (result.ok) throw new Error('expected validation to fail');
  return result.problems;
}
const mail = (extra: string): string => `---\naction: send_email\nto: a@b.co\nsubject: s\n${extra}\n---\n`;

describe('argument names the schema does not declare', () => {
  it('bodyy: is refused with "did you mean body" although the schema leaves additionalProperties unset', () => {
    const p = expectOne(problemsOf(mail('bodyy: Hello')), 'unknown_argument', /email-server\.send_email has no argument "bodyy": did you mean "body"\?/, { step: 1 });
    expect(p.message).toContain('Its arguments are "to", "subject", "body"');
    expect(problemsOf(mail('bodyy: Hello')).map((x) => x.code)).toEqual(['unknown_argument']);
  });

  it('a strict schema (additionalProperties: false) gives the same one problem, not an "unexpected argument" too', () => {
    const p = problemsOf(mail('bodyy: Hello'), ctx());
    expect(p.map((x) => x.code)).toEqual(['unknown_argument']);
    expect(p[0]?.message).toMatch(/did you mean "body"/);
  });

  it('a name close to nothing says how to fix it; each unknown name is its own problem', () => {
    const p = problemsOf(mail('colour: red\nsubjet: x'));
    expect(p.map((x) => x.code)).toEqual(['unknown_argument', 'unknown_argument']);
    expect(p[0]?.message).toMatch(/no argument "colour": remove it or correct its name/);
    expect(p[1]?.message).toMatch(/no argument "subjet": did you mean "subject"\?/);
  });

  it('a schema that sets additionalProperties itself (true or a schema) takes any name', () => {
    for (const open of [true, { type: 'string' }]) {
      const result = validatePlan(parsed(mail('x_trace: abc')), withMail({ ...zodMail, additionalProperties: open }));
      expect(result.ok, JSON.stringify(result)).toBe(true);
    }
  });

  it('a name from the action defaults is named as such', () => {
    const text = '## Steps\n- [ ] Save\n  - action: write_vault\n  - path: Notes/a.md\n  - content: hi\n';
    const tools = catalog({ 'vault-watcher': [{ name: 'write_note', inputSchema: { type: 'object', properties: { path: {}, content: {} } } }] });
    expectOne(problemsOf(text, ctx({ tools })), 'unknown_argument', /no argument "mode" \(from the defaults of action "write_vault" in the configuration\)/);
  });
});

describe('declaredNames / closestName', () => {
  it('reads properties, combiner branches, and open schemas', () => {
    expect([...(declaredNames(zodMail).names ?? [])]).toEqual(['to', 'subject', 'body']);
    expect(declaredNames({ type: 'object' }).names).toBeUndefined();
    expect(declaredNames({ type: 'object', properties: {}, patternProperties: { '^x-': {} } }).names).toBeUndefined();
    expect(declaredNames({ $ref: '#/definitions/a' }).names).toBeUndefined();
    expect([...(declaredNames({ anyOf: [{ properties: { a: {} } }, { properties: { b: {} } }] }).names ?? [])]).toEqual(['a', 'b']);
    expect(declaredNames({ properties: { a: {} }, anyOf: [{ required: ['a'] }] }).names?.has('a')).toBe(true);
    expect(unknownNames({ properties: { a: {} } }, ['a', 'b'])).toEqual([{ name: 'b' }]);
  });

  it('suggests a close name only', () => {
    expect(closestName('bodyy', ['to', 'body'])).toBe('body');
    expect(closestName('Subject', ['subject'])).toBe('subject');
    expect(closestName('sbuject', ['subject'])).toBe('subject');
    expect(closestName('recipient', ['to', 'body'])).toBeUndefined();
    expect(closestName('x'.repeat(10_000), ['x'])).toBeUndefined();
  });
});

describe('one message per argument', () => {
  it('to: 42 against an anyOf of string and array reads as one message', () => {
    const p = expectOne(problemsOf('---\naction: send_email\nto: 42\nsubject: s\n---\n'), 'invalid_arguments', /argument "to" must be string or array$/);
    expect(p.message).not.toMatch(/anyOf/);
  });

  it('a value that gets into one branch reports that branch only', () => {
    const p = expectOne(problemsOf('---\naction: send_email\nto: [a@b.co, 5]\nsubject: s\n---\n'), 'invalid_arguments', /argument "to\.1" must be string$/);
    expect(p.message).not.toMatch(/anyOf|must be array/);
  });
});

describe('a free-text step mapped to an action by keyword', () => {
  it('says which arguments are missing and how to give them', () => {
    const p = expectOne(
      problemsOf('## Steps\n- [ ] Send email to the team and save note about it\n'),
      'invalid_arguments',
      /matched action "send_email" \(keyword "send email"\), which needs "to", "subject", and the step does not give them: add them under the item as a ```yaml block \(action: send_email, to: …, subject: …\) or as sub-bullets \(- to: … \/ - subject: …\)/,
      { step: 1, line: 2 },
    );
    expect(p.message).not.toMatch(/missing required argument/);
  });

  it('names only what is still missing when some sub-bullets are there', () => {
    expectOne(problemsOf('## Steps\n- [ ] Send email\n  - to: a@b.co\n'), 'invalid_arguments', /which needs "subject", and the step does not give it/);
  });
});

describe('a slip in a step key', () => {
  it('dependson: is not an argument: did you mean the step key "depends_on"?', () => {
    expectOne(problemsOf(mail('dependson: [x]')), 'unknown_argument', /no argument "dependson": did you mean the step key "depends_on"\?/);
  });
});

describe('did you mean, for actions and tools too', () => {
  it('sned_email → send_email; read_notes → read_note', () => {
    expectOne(problemsOf('---\naction: sned_email\nto: a@b.co\n---\n'), 'unknown_action', /unknown action "sned_email": did you mean "send_email"\? known actions are/);
    expectOne(problemsOf('---\nsteps: [{server: vault-watcher, tool: read_notes, path: a.md}]\n---\n'), 'unknown_tool', /has no tool "read_notes" \(did you mean "read_note"\?\)/);
  });
});

describe('names declared in conditional subschemas', () => {
  it('then/else and dependentSchemas declare names too', () => {
    const schema = { properties: { kind: {} }, if: { properties: { kind: { const: 'a' } } }, then: { properties: { a_only: {} } }, else: { properties: { b_only: {} } }, dependentSchemas: { kind: { properties: { extra: {} } } } };
    expect(unknownNames(schema, ['kind', 'a_only', 'b_only', 'extra', 'other']).map((u) => u.name)).toEqual(['other']);
  });
});

describe('values known before the run', () => {
  it('{{ plan.FIELD }} is checked as resolved: a path from the front matter that leaves the vault is refused', () => {
    const tools = catalog({ 'vault-watcher': [{ name: 'write_note', inputSchema: { type: 'object', properties: { path: { type: 'string', pattern: '^(?!.*\\.\\.)' }, content: { type: 'string' }, mode: {} } } }] });
    const text = '---\ntarget: ../../etc/evil.md\nsize: 3\nsteps:\n  - {action: write_vault, path: "{{ plan.target }}", content: "{{ plan.size }}"}\n---\n';
    const p = expectOne(problemsOf(text, ctx({ tools })), 'invalid_arguments', /argument "path" must match pattern/);
    expect(p.message).toMatch(/argument "content" must be string/);
  });

  it('a step result stays unknown until the run', () => {
    const text = '---\nsteps:\n  - {id: r, action: read_vault, path: Notes/a.md}\n  - {action: write_vault, path: "{{ steps.r.text }}", content: "x {{ now }}"}\n---\n';
    expect(validatePlan(parsed(text), ctx()).ok).toBe(true);
  });
});

describe('one message per argument, also without anyOf', () => {
  it('a value breaking two rules gets the first', () => {
    const strictSubject = { ...zodMail, properties: { ...zodMail.properties, subject: { type: 'string', minLength: 3, pattern: '^[A-Z]' } } };
    const p = expectOne(problemsOf(mail('').replace('subject: s', 'subject: x'), withMail(strictSubject)), 'invalid_arguments', /argument "subject" must NOT have fewer than 3 characters$/);
    expect(p.message).not.toMatch(/pattern/);
  });
});
