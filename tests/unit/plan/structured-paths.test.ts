/**
 * `{{ steps.X.structured.PATH }}` is checked against X's tool outputSchema when it publishes one (SPEC §5):
 * an unknown property is a bad_template naming the step, the path and a close name; a tool without an
 * outputSchema, or an open one, leaves the path to run time.
 */
import { describe, expect, it } from 'vitest';
import { followSchemaPath } from '../../../src/plan/schema-names.js';
import { validatePlan } from '../../../src/plan/validate.js';
import { catalog, ctx, parsed, tools } from './fixtures.js';
import { expectOne } from './helpers.js';

/** read_note as the bundled vault-watcher publishes it: metadata, or an error, never extra fields. */
const readNoteOutput = {
  type: 'object',
  properties: { path: { type: 'string' }, bytes: { type: 'integer' }, modified: { type: 'string' }, error_type: { type: 'string' }, message: { type: 'string' } },
  additionalProperties: false,
  anyOf: [{ required: ['path', 'bytes', 'modified'] }, { required: ['error_type', 'message'] }],
};
const vault = (outputSchema?: Record<string, unknown>) =>
  ctx({
    tools: catalog({
      'vault-watcher': (tools['vault-watcher'] ?? []).map((t) => (t.name === 'read_note' && outputSchema ? { ...t, outputSchema } : t)),
    }),
  });
const plan = (path: string): string =>
  `---\nsteps:\n  - {id: readback, action: read_vault, path: Notes/a.md}\n  - {action: send_email, to: a@b.co, subject: s, body: "{{ steps.readback.structured.${path} }}"}\n---\n`;

describe('structured paths against the outputSchema', () => {
  it('an unknown property names the step, the tool and the path, with did-you-mean', () => {
    const result = validatePlan(parsed(plan('modifed')), vault(readNoteOutput));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expectOne(
      result.problems,
      'bad_template',
      /template \{\{ steps\.readback\.structured\.modifed \}\}: step "readback" \(vault-watcher\.read_note\) has no "modifed" in its structured result \(its outputSchema declares "path", "bytes", "modified", "error_type", "message" there\): did you mean "modified"\?/,
      { step: 2 },
    );
  });

  it('nosuch is refused without a suggestion; a declared one passes', () => {
    const bad = validatePlan(parsed(plan('nosuch')), vault(readNoteOutput));
    expect(!bad.ok && bad.problems.map((p) => p.message).join()).toMatch(/has no "nosuch" .*: fix the path/);
    expect(validatePlan(parsed(plan('bytes')), vault(readNoteOutput)).ok).toBe(true);
  });

  it('without an outputSchema the path waits for run time', () => {
    expect(validatePlan(parsed(plan('nosuch')), vault()).ok).toBe(true);
  });

  it('follows nested objects and array items; open parts pass', () => {
    const schema = {
      type: 'object',
      properties: { notes: { type: 'array', items: { type: 'object', properties: { path: {} } } }, meta: { type: 'object', additionalProperties: true } },
    };
    expect(followSchemaPath(schema, ['notes', '0', 'path'])).toEqual({ ok: true });
    expect(followSchemaPath(schema, ['meta', 'anything', 'deeper'])).toEqual({ ok: true });
    expect(followSchemaPath(schema, ['notes', '0', 'pth'])).toEqual({ ok: false, depth: 2, known: ['path'], suggestion: 'path' });
    expect(followSchemaPath(schema, ['note'])).toMatchObject({ ok: false, depth: 0, suggestion: 'notes' });
  });
});
