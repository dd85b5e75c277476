import { describe, expect, it } from 'vitest';
import { ActionSchema, ExecutionSchema } from '../../../src/config/schema.js';
import { validatePlan } from '../../../src/plan/validate.js';
import type { PlanProblem } from '../../../src/plan/types.js';
import { actions, catalog, ctx, parsed, servers } from './fixtures.js';
import { expectOne } from './helpers.js';

function problemsOf(text: string, overrides: Parameters<typeof ctx>[0] = {}): readonly PlanProblem[] {
  const result = validatePlan(parsed(text), ctx(overrides));
  if (result.ok) throw new Error('expected validation to fail');
  return result.problems;
}

const mail = (extra = '', text = 'Mail'): string =>
  `## Steps\n- [ ] ${text}\n  \`\`\`yaml\n  action: send_email\n  to: a@b.co\n  subject: s\n${extra.split('\n').filter(Boolean).map((l) => `  ${l}`).join('\n')}\n  \`\`\`\n`;
const at2 = { step: 1, line: 2 };

describe('configuration and catalog', () => {
  it('unknown_action lists the known ones', () => {
    expectOne(problemsOf('---\naction: fax_it\n---\n'), 'unknown_action', /unknown action "fax_it": known actions are "send_email", "ask_model", .*add it to "actions"/, { step: 1 });
  });

  it('unknown_server for a direct step lists the configured servers', () => {
    expectOne(problemsOf('---\nsteps: [{server: fax, tool: send}]\n---\n'), 'unknown_server', /unknown server "fax": configured servers are "email-server", .*"mcpServers"/, { step: 1 });
  });

  it('unknown_server for an action whose server is not configured', () => {
    const withBroken = { ...actions, fax: ActionSchema.parse({ server: 'fax-server', tool: 'send', keywords: ['fax'] }) };
    const again = validatePlan(parsed('---\naction: fax\n---\n'), ctx({ actions: withBroken }));
    if (again.ok) throw new Error('expected failure');
    expectOne(again.problems, 'unknown_server', /unknown server "fax-server" \(used by action "fax"\)/, { step: 1 });
  });

  it('a disabled server is refused', () => {
    expectOne(problemsOf('---\naction: post_linkedin\ntext: hi\n---\n'), 'unknown_server', /server "linkedin-server" \(used by action "post_linkedin"\) is disabled \(enabled: false\)/, { step: 1 });
  });

  it('a server placed on other nodes (cluster) is not refused: its step is validated on the node that runs it', () => {
    const placed = { ...servers, 'linkedin-server': { type: 'disabled' as const, enabled: false as const, maxConcurrency: 1, elsewhere: ['cloud'] } };
    const result = validatePlan(parsed('---\naction: post_linkedin\ntext: hi\n---\n'), ctx({ servers: placed }));
    expect(result.ok && result.plan.steps.map((step) => `${step.server}.${step.tool}`)).toEqual(['linkedin-server.create_post']);
  });

  it('unknown_tool lists the server\'s tools', () => {
    expectOne(problemsOf('---\nsteps: [{server: vault-watcher, tool: delete_note}]\n---\n'), 'unknown_tool', /server "vault-watcher" has no tool "delete_note"; its tools are "write_note", "read_note", "list_notes"/, { step: 1 });
  });

  it('server_unavailable when the catalog could not list the server', () => {
    expectOne(problemsOf(mail(), { tools: catalog({ 'email-server': 'spawn node ENOENT' }) }), 'server_unavailable', /server "email-server" could not list its tools \(spawn node ENOENT\)/, at2);
  });

  it('bad_field when mcp_server/mcp_tool disagree with the configured action', () => {
    expectOne(problemsOf('---\naction: send_email\nmcp_server: remote\nmcp_tool: send_email\nmcp_params: {to: a@b.co, subject: s}\n---\n'), 'bad_field', /action "send_email" uses server "email-server" but the plan names server "remote"/, { step: 1 });
  });
});

describe('arguments (invalid_arguments)', () => {
  it('names missing, mistyped and badly formatted arguments in one problem; an unexpected name is its own', () => {
    const p = problemsOf('## Steps\n- [ ] Mail\n  ```yaml\n  action: send_email\n  to: not-an-address\n  cc: [ok@b.co, 5]\n  colour: red\n  ```\n');
    const one = expectOne(p, 'invalid_arguments', /^arguments do not fit email-server.send_email: /, at2);
    expect(one.message).toContain('missing required argument "subject"');
    expect(one.message).toContain('argument "to" must match format "email"');
    expect(one.message).toContain('argument "cc.1" must be string');
    expect(one.message).not.toContain('colour');
    expectOne(p, 'unknown_argument', /email-server\.send_email has no argument "colour": remove it or correct its name/, at2);
  });

  it('a template does not excuse a missing required argument', () => {
    expectOne(problemsOf('## Steps\n- [ ] Ask\n  - action: ask_model\n  - model: "{{ now }}"\n'), 'invalid_arguments', /missing required argument "prompt"/, at2);
  });

  it('checks a 2020-12 schema too', () => {
    expectOne(problemsOf('---\nsteps: [{server: vault-watcher, tool: list_notes, folder: 3}]\n---\n'), 'invalid_arguments', /argument "folder" must be string/, { step: 1 });
  });

  it('a tool schema that cannot be compiled is reported, not ignored', () => {
    const broken = catalog({ 'model-router': [{ name: 'ask_model', inputSchema: { type: 'object', properties: { prompt: { type: 'nonsense' } } } }] });
    expectOne(problemsOf('---\naction: ask_model\nprompt: hi\n---\n', { tools: broken }), 'invalid_arguments', /inputSchema of model-router.ask_model cannot be checked/, { step: 1 });
  });
});

describe('templates (bad_template)', () => {
  it('a malformed template', () => {
    expectOne(problemsOf(mail('body: "{{ step.x.text }}"')), 'bad_template', /argument "body": template \{\{ step.x.text \}\}: unknown template root "step"/, at2);
  });

  it('a reference to an unknown step lists the ids', () => {
    expectOne(problemsOf(mail('body: "{{ steps.nope.text }}"')), 'bad_template', /refers to unknown step "nope"; step ids are "step1"/, at2);
  });

  it('a reference to its own step', () => {
    expectOne(problemsOf(mail('body: "{{ steps.step1.text }}"')), 'bad_template', /refers to this same step/, at2);
  });

  it('a reference to a manual step', () => {
    expectOne(problemsOf(`## Steps\n- [ ] Call Bob\n${mail('body: "{{ steps.step1.text }}"').replace('## Steps\n', '')}`), 'bad_template', /refers to a manual step, which has no result/, { step: 2, line: 3 });
  });

  it('a reference to a step already done', () => {
    const text = `## Steps\n- [x] Read note\n  - path: a.md\n${mail('body: "{{ steps.step1.text }}"').replace('## Steps\n', '')}`;
    expectOne(problemsOf(text), 'bad_template', /already done \(\[x\]\) whose result is not kept: untick it/, { step: 2, line: 4 });
  });

  it('a reference to a later step in sequential mode', () => {
    const text = `${mail('body: "{{ steps.later.text }}"')}- [ ] Read\n  - id: later\n  - action: read_vault\n  - path: a.md\n`;
    expectOne(problemsOf(text), 'bad_template', /step "later" comes later \(step 2\) and in sequential mode steps run in file order/, at2);
  });

  it('a plan field that the front matter does not have', () => {
    expectOne(problemsOf(`---\nclient: Acme\n---\n${mail('body: "Dear {{ plan.client_name }}"')}`), 'bad_template', /the front matter has no "client_name" field/, { step: 1, line: 5 });
  });
});

describe('dependencies and ids', () => {
  it('unknown_dependency lists the ids', () => {
    expectOne(problemsOf(mail('depends_on: ghost')), 'unknown_dependency', /depends_on names unknown step "ghost"; step ids are "step1"/, at2);
  });

  it('unknown_dependency on a manual step', () => {
    expectOne(problemsOf(`## Steps\n- [ ] Call Bob\n${mail('depends_on: step1').replace('## Steps\n', '')}`), 'unknown_dependency', /"step1", a manual step that never runs/, { step: 2, line: 3 });
  });

  it('unknown_dependency on a later step in sequential mode', () => {
    expectOne(problemsOf('---\nsteps:\n  - {action: read_vault, path: a.md, depends_on: step2}\n  - {action: read_vault, path: b.md}\n---\n'), 'unknown_dependency', /step "step2" comes later \(step 2\).*`mode: parallel`/, { step: 1 });
  });

  it('duplicate_step_id', () => {
    expectOne(problemsOf('---\nsteps:\n  - {id: a, action: read_vault, path: a.md}\n  - {id: a, action: read_vault, path: b.md}\n---\n'), 'duplicate_step_id', /step id "a" is already used by step 1/, { step: 2 });
  });

  it('dependency_cycle names the ids in the cycle', () => {
    const text = '---\nmode: parallel\nsteps:\n  - {id: a, action: read_vault, path: "{{ steps.c.text }}"}\n  - {id: b, action: read_vault, path: x, depends_on: a}\n  - {id: c, action: read_vault, path: y, depends_on: b}\n  - {id: d, action: read_vault, path: z, depends_on: c}\n---\n';
    expectOne(problemsOf(text), 'dependency_cycle', /dependency cycle: a → c → b → a: remove one/, { step: 1 });
  });

  it('dependency_cycle for a step that depends on itself', () => {
    expectOne(problemsOf(mail('id: self\ndepends_on: self')), 'dependency_cycle', /dependency cycle: self → self/, at2);
  });
});

describe('policy', () => {
  it('bad_expires', () => {
    expectOne(problemsOf(`---\nexpires: next week\n---\n${mail()}`), 'bad_expires', /`expires` "next week" is not an ISO 8601 date-time/);
  });

  it('expired', () => {
    expectOne(problemsOf(`---\nexpires: 2026-02-16T11:59:59Z\n---\n${mail()}`), 'expired', /expired at 2026-02-16T11:59:59Z .* re-approve it with a later `expires`/);
  });

  it('a date-only expiry lasts until the end of that local day', () => {
    const endOfDay = new Date(2026, 1, 16, 23, 59, 59, 999);
    const text = `---\nexpires: 2026-02-16\n---\n${mail()}`;
    expect(validatePlan(parsed(text), ctx({ now: new Date(endOfDay.getTime() - 1) })).ok).toBe(true);
    expectOne(problemsOf(text, { now: endOfDay }), 'expired', /expired at 2026-02-16/);
  });

  it.each(['rejected', 'Draft'])('refused_status: %s', (status) => {
    expectOne(problemsOf(`---\nstatus: ${status}\n---\n${mail()}`), 'refused_status', new RegExp(`status is "${status}".*never run`));
  });

  it('not_approved_action for an action', () => {
    expectOne(problemsOf(`---\napproved_actions: [read_vault]\n---\n${mail()}`), 'not_approved_action', /action "send_email" is not in `approved_actions` \("read_vault"\)/, { step: 1, line: 5 });
  });

  it('not_approved_action for a direct step, named server.tool', () => {
    expectOne(problemsOf('---\napproved_actions: []\nsteps: [{server: vault-watcher, tool: read_note, path: a.md}]\n---\n'), 'not_approved_action', /"vault-watcher.read_note" is not in `approved_actions` \(an empty list\)/, { step: 1 });
  });

  it('manual_step_strict, from the context or from execution.strict', () => {
    const text = '## Steps\n- [ ] Call the bank\n';
    const p = expectOne(problemsOf(text, { strict: true }), 'manual_step_strict', /"Call the bank" matches no action and strict mode is on/, at2);
    expect(p.message).toMatch(/turn off execution.strict/);
    expectOne(problemsOf(text, { execution: ExecutionSchema.parse({ strict: true }) }), 'manual_step_strict', /strict mode/);
  });
});

it('reports every problem at once', () => {
  const text = '---\nstatus: rejected\nexpires: 2020-01-01T00:00:00Z\nsteps:\n  - {action: fax_it}\n  - {server: vault-watcher, tool: nope}\n  - {action: send_email, to: x}\n---\n';
  const codes = problemsOf(text).map((p) => p.code);
  expect(codes).toEqual(['refused_status', 'expired', 'unknown_action', 'unknown_tool', 'invalid_arguments']);
});
