import { describe, expect, it } from 'vitest';
import { ActionSchema } from '../../../src/config/schema.js';
import { parsePlan } from '../../../src/plan/parse.js';
import { FILE } from './fixtures.js';
import { expectOne, parseProblems } from './helpers.js';

const fm = (front: string, body = ''): string => `---\n${front}\n---\n${body}`;

describe('input safety', () => {
  it('too_large: bytes over the limit, before parsing', () => {
    const p = parseProblems(new Uint8Array(2048).fill(0x61), { maxBytes: 1024 });
    expectOne(p, 'too_large', /2048 bytes; plans may be at most 1024 bytes/);
  });

  it('too_large: a string measured in UTF-8 bytes', () => {
    expectOne(parseProblems('é'.repeat(600), { maxBytes: 1024 }), 'too_large', /1200 bytes/);
    expectOne(parseProblems('a'.repeat(1025), { maxBytes: 1024 }), 'too_large', /at most 1024 bytes/);
  });

  it('too_large: the default limit is 1 MiB', () => {
    expectOne(parseProblems('a'.repeat(1024 * 1024 + 1)), 'too_large', /at most 1048576 bytes/);
  });

  it('not_utf8: invalid UTF-8 bytes', () => {
    expectOne(parseProblems(new Uint8Array([0x2d, 0x2d, 0x2d, 0x0a, 0xc3, 0x28])), 'not_utf8', /not valid UTF-8/);
  });

  it('not_utf8: NUL bytes mean a binary file', () => {
    expectOne(parseProblems(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00])), 'not_utf8', /NUL bytes.*binary/);
    expectOne(parseProblems('## Steps\n- a\u0000b\n'), 'not_utf8', /binary/);
  });

  it('not_utf8: a string with a lone surrogate', () => {
    expectOne(parseProblems('## Steps\n- \uD800 x\n'), 'not_utf8', /UTF-8/);
  });
});

describe('front matter', () => {
  for (const lang of ['js', 'javascript', 'coffee', 'JS', ' js ', 'toml']) {
    it(`front_matter: ---${lang} is refused`, () => {
      expectOne(parseProblems(`---${lang}\n{ action: 'send_email' }\n---\n`), 'front_matter', /language .* is not accepted.*never evaluated/, { line: 1 });
    });
  }

  it('front_matter: never closed', () => {
    expectOne(parseProblems('---\naction: send_email\n'), 'front_matter', /never closed: add a --- line/, { line: 1 });
  });

  it('front_matter: invalid YAML names the file line', () => {
    expectOne(parseProblems(fm('id: a\nsteps: [a, b\nmode: parallel')), 'front_matter', /not valid YAML/, { line: 4 });
  });

  it('front_matter: duplicate keys', () => {
    expectOne(parseProblems(fm('action: send_email\naction: ask_model')), 'front_matter', /unique/, { line: 3 });
  });

  it('front_matter: alias bomb', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]', 'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]'].join('\n');
    expectOne(parseProblems(fm(bomb)), 'front_matter', /alias/i);
  });

  it('front_matter: not a mapping', () => {
    expectOne(parseProblems(fm('- a\n- b')), 'front_matter', /must be a YAML mapping.*got a list/);
    expectOne(parseProblems(fm('just text')), 'front_matter', /got a string/);
  });

  it('front_matter: nesting too deep is refused before the YAML parser recurses', () => {
    expectOne(parseProblems(fm(`a: ${'['.repeat(5000)}${']'.repeat(5000)}`)), 'front_matter', /nested too deeply/);
    expectOne(parseProblems(fm(`a:\n  ${'- '.repeat(5000)}x`)), 'front_matter', /nested too deeply/);
  });

  it('front_matter: a list or mapping used as a key', () => {
    expectOne(parseProblems(fm('? [a, b]\n: 1')), 'front_matter', /keys must be plain names/);
  });

  it('front_matter: tags the core schema does not know', () => {
    expectOne(parseProblems(fm('action: !!js/function "function () { return 1 }"')), 'front_matter', /Unresolved tag/);
  });
});

describe('plan fields (bad_field)', () => {
  const cases: [string, RegExp][] = [
    ['id: [a]', /`id` must be a non-empty text/],
    ['mode: fast', /`mode` must be `sequential` or `parallel`, got "fast"/],
    ['mode: 3', /`mode` must be `sequential` or `parallel`, got a number/],
    ['expires: 20260217', /`expires` must be an ISO 8601 date-time/],
    ['approved_by: [a, b]', /`approved_by` must be a text/],
    ['approved_at: {a: 1}', /`approved_at` must be an ISO 8601 date-time/],
    ['status: 1', /`status` must be a text/],
    ['approved_actions: {a: 1}', /`approved_actions` must be a list of action names/],
    ['approved_actions: [send_email, 3]', /`approved_actions` must be a list/],
  ];
  for (const [front, phrase] of cases) {
    it(front, () => {
      expectOne(parseProblems(fm(front, '## Steps\n- Call\n')), 'bad_field', phrase);
    });
  }

  it('both `steps` and `action`', () => {
    expectOne(parseProblems(fm('action: send_email\nsteps: [Call]')), 'bad_field', /both `steps` and `action`/);
  });

  it('`steps` that is not a list', () => {
    expectOne(parseProblems(fm('steps: send email')), 'bad_field', /`steps` must be a list of steps, got a string/);
  });
});

describe('no_steps and step limits', () => {
  it('no_steps: nothing to run', () => {
    expectOne(parseProblems('# Just a note\n\nSome text.\n'), 'no_steps', /no steps found: add a "## Steps" checklist/);
  });

  it('no_steps: a Steps section without items', () => {
    expectOne(parseProblems('## Steps\n\nTBD\n'), 'no_steps', /"Steps" section has no list items/);
  });

  it('no_steps: an empty front-matter steps list', () => {
    expectOne(parseProblems(fm('steps: []')), 'no_steps', /empty list/);
  });

  it('too_large: more checklist steps than allowed', () => {
    expectOne(parseProblems(`## Steps\n${'- Call\n'.repeat(4)}`, { maxSteps: 3 }), 'too_large', /4 steps; at most 3/);
  });

  it('too_large: more front-matter steps than the default 1,000', () => {
    expectOne(parseProblems(fm(`steps: [${Array(1001).fill('Call').join(', ')}]`)), 'too_large', /1001 steps; at most 1000/);
  });
});

describe('step fields', () => {
  const block = (yaml: string, text = 'Do it'): string => `## Steps\n- [ ] ${text}\n  \`\`\`yaml\n${yaml.split('\n').map((l) => `  ${l}`).join('\n')}\n  \`\`\`\n`;
  const loc = { step: 1, line: 2 };

  it('bad_field: action is not a string', () => {
    expectOne(parseProblems(block('action: [send_email]')), 'bad_field', /`action` must be a non-empty string, got a list/, loc);
  });

  it('step_syntax: action and server+tool together', () => {
    expectOne(parseProblems(block('action: send_email\nserver: s\ntool: t')), 'step_syntax', /either `action` or `server` \+ `tool`, not both/, loc);
  });

  it('step_syntax: server without tool', () => {
    expectOne(parseProblems(block('server: email-server')), 'step_syntax', /`server` and `tool` go together/, loc);
  });

  it('bad_field: an id that cannot appear in a template', () => {
    expectOne(parseProblems(block('action: send_email\nid: my step')), 'bad_field', /`id` "my step" must be 1-64 letters, digits/, loc);
  });

  it('bad_field: depends_on that is not ids', () => {
    expectOne(parseProblems(block('action: send_email\ndepends_on: {a: 1}')), 'bad_field', /`depends_on` must be a step id or a list/, loc);
  });

  it('bad_field: timeout_ms and retries', () => {
    const p = parseProblems(block('action: send_email\ntimeout_ms: 0\nretries: -1'));
    expect(p.map((x) => [x.code, x.step, x.line])).toEqual([['bad_field', 1, 2], ['bad_field', 1, 2]]);
    expect(p[0]!.message).toMatch(/`timeout_ms` must be a whole number of milliseconds above 0, got "0"/);
    expect(p[1]!.message).toMatch(/`retries` must be a whole number, 0 or more, got "-1"/);
  });

  it('bad_field: fractional retries', () => {
    expectOne(parseProblems(block('action: send_email\nretries: 1.5')), 'bad_field', /`retries` must be a whole number, 0 or more, got "1.5"/, loc);
  });

  it('bad_field: empty idempotency_key', () => {
    expectOne(parseProblems(block('action: send_email\nidempotency_key: ""')), 'bad_field', /`idempotency_key` must be a non-empty string/, loc);
  });

  it('bad_field: args that is not a mapping', () => {
    expectOne(parseProblems(block('action: send_email\nargs: [1]')), 'bad_field', /`args` must be a mapping/, loc);
  });

  it('step_syntax: an argument given twice', () => {
    expectOne(parseProblems(block('action: send_email\nto: a@b.co\nargs: {to: c@d.co}')), 'step_syntax', /argument "to" is given twice/, loc);
  });

  it('step_syntax: a block that is not valid YAML names its file line', () => {
    expectOne(parseProblems(block('action: send_email\nto: [a')), 'step_syntax', /yaml block is not valid/, { step: 1, line: 5 });
  });

  it('step_syntax: a block that is not a mapping', () => {
    expectOne(parseProblems(block('- action: send_email')), 'step_syntax', /must be a mapping of key: value, got a list/, loc);
  });

  it('step_syntax: two blocks', () => {
    expectOne(parseProblems(`${block('action: send_email')}  \`\`\`json\n  {}\n  \`\`\`\n`), 'step_syntax', /has 2 yaml\/json blocks/, loc);
  });

  it('step_syntax: a block and action sub-bullets', () => {
    expectOne(parseProblems(`${block('to: a@b.co')}  - action: send_email\n`), 'step_syntax', /both a yaml\/json block and `key: value` sub-bullets/, loc);
  });

  it('step_syntax: action sub-bullets mixed with notes', () => {
    expectOne(parseProblems('## Steps\n- [ ] Mail\n  - action: send_email\n  - remember the attachment\n'), 'step_syntax', /mixes `key: value` sub-bullets/, loc);
  });

  it('step_syntax: deeper bullets under action sub-bullets count as notes', () => {
    expectOne(parseProblems('## Steps\n- [ ] Mail\n  - action: send_email\n  - to: a@b.co\n    - cc: c@d.co\n'), 'step_syntax', /mixes `key: value` sub-bullets with other sub-bullets/, loc);
  });

  it('step_syntax: a sub-bullet key given twice', () => {
    expectOne(parseProblems('## Steps\n- [ ] Mail\n  - action: send_email\n  - to: a@b.co\n  - to: c@d.co\n'), 'step_syntax', /key "to" is given twice/, { step: 1, line: 5 });
  });

  it('step_syntax: a fenced block never closed', () => {
    expectOne(parseProblems('## Steps\n- [ ] Mail\n  ```yaml\n  action: send_email\n'), 'step_syntax', /opened on line 3 is never closed/, { line: 3 });
  });

  it('step_syntax: an unknown checkbox state', () => {
    expectOne(parseProblems('## Steps\n- [-] Send email to Bob\n'), 'step_syntax', /checkbox \[-\] is not understood/, loc);
  });

  it('step_syntax: a front-matter steps entry that is neither mapping nor text', () => {
    expectOne(parseProblems(fm('steps: [[a]]')), 'step_syntax', /must be a mapping .* or a text, got a list/, { step: 1 });
  });

  it('unknown_action: a block that names no action and whose text matches no keyword', () => {
    expectOne(parseProblems(block('to: a@b.co', 'Handle it')), 'unknown_action', /names no action.*known actions are|names no action.*known actions: "send_email"/, loc);
  });

  it('unknown_action: a front-matter step without an action', () => {
    expectOne(parseProblems(fm('steps:\n  - to: a@b.co')), 'unknown_action', /names no action/, { step: 1 });
  });

  it('unknown_action: text matching two actions equally is ambiguous', () => {
    const twins = {
      email_boss: ActionSchema.parse({ server: 's', tool: 'a', keywords: ['notify'] }),
      email_team: ActionSchema.parse({ server: 's', tool: 'b', keywords: ['notify'] }),
    };
    const result = parsePlan('## Steps\n- [ ] Notify everyone\n', FILE, twins);
    expect(result.ok).toBe(false);
    if (!result.ok) expectOne(result.problems, 'unknown_action', /matches the keyword "notify" of several actions \("email_boss", "email_team"\): name one/, loc);
  });

  it('bad_field: mcp_params that is not a mapping', () => {
    expectOne(parseProblems(fm('mcp_server: email-server\nmcp_tool: send_email\nmcp_params: [1]')), 'bad_field', /`mcp_params` must be a mapping/, { step: 1 });
  });

  it('step_syntax: mcp_server without mcp_tool', () => {
    expectOne(parseProblems(fm('mcp_server: email-server\nto: a@b.co')), 'step_syntax', /`mcp_server` and `mcp_tool` go together/, { step: 1 });
  });

  it('reports every problem at once', () => {
    const p = parseProblems(fm('mode: fast', '## Steps\n- [-] a\n- [ ] b\n  ```yaml\n  action: 1\n  ```\n'));
    expect(p.map((x) => x.code).sort()).toEqual(['bad_field', 'bad_field', 'step_syntax']);
  });
});
