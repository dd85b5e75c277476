/**
 * `check` on the shipped configuration and bundled servers, and on a zod-built third-party server (issue 12,
 * SPEC §5): every problem knowable before a run is reported, one clear message each, and nothing is called.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { writeDefaultConfig } from '../helpers/default-config.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

let dir: string;
let configPath: string;
let ws: Workspace;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'orch-check-'));
  configPath = await writeDefaultConfig(dir);
  await mkdir(path.join(dir, 'vault', 'Plans'), { recursive: true });
  ws = await createWorkspace();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await ws.cleanup();
});

async function check(name: string, text: string, config = configPath): Promise<{ code: number; out: string }> {
  const file = path.join(path.dirname(path.dirname(config)), 'vault', 'Plans', name);
  await writeFile(file, text);
  const result = await runCli(['--config', config, 'check', file]);
  return { code: result.code, out: result.stdout + result.stderr };
}
const mail = (fields: string[]): string => ['---', 'action: send_email', ...fields, '---', ''].join('\n');

describe('check, bundled servers', () => {
  it('bodyy: → "did you mean body", one problem', async () => {
    const { code, out } = await check('typo.md', mail(['to: a@example.com', 'subject: Hi', 'bodyy: Hello']));
    expect(code).toBe(1);
    expect(out).toMatch(/invalid, 1 problem:/);
    expect(out).toMatch(/step 1: email-server\.send_email has no argument "bodyy": did you mean "body"\?/);
  });

  it('to: 42 → one message for the argument', async () => {
    const { out } = await check('to42.md', mail(['to: 42', 'subject: Hi']));
    expect(out).toMatch(/invalid, 1 problem:/);
    expect(out).toMatch(/arguments do not fit email-server\.send_email: argument "to" must be string or array$/m);
  });

  it('{{ steps.readback.structured.nosuch }} is refused against read_note\'s outputSchema; .bytes passes', async () => {
    const plan = (field: string): string =>
      ['---', 'steps:', '  - {id: readback, action: read_vault, path: Notes/a.md}', `  - {action: write_vault, path: Notes/b.md, content: "{{ steps.readback.structured.${field} }}"}`, '---', ''].join('\n');
    const bad = await check('nosuch.md', plan('nosuch'));
    expect(bad.out).toMatch(/step 2: template \{\{ steps\.readback\.structured\.nosuch \}\}: step "readback" \(vault-watcher\.read_note\) has no "nosuch"/);
    const good = await check('bytes.md', plan('bytes'));
    expect(good.code, good.out).toBe(0);
  });

  it('a free-text step that maps to send_email says which arguments are missing and how to give them', async () => {
    const { out } = await check('free.md', '## Steps\n- [ ] Send email to the team and save note about it\n');
    expect(out).toMatch(/step 1 \(line 2\): the step text matched action "send_email" \(keyword "send email"\), which needs "to", .*```yaml block .* sub-bullets \(- to: …/);
  });

  it('a json block with a trailing comma, a bad path in step 2 and a typo: every problem, each with its step', async () => {
    const text = [
      '## Steps',
      '- [ ] Mail',
      '  ```json',
      '  {"action": "send_email", "to": "a@example.com", "subject": "s", "bodyy": "x"}',
      '  ```',
      '- [ ] Save',
      '  - action: write_vault',
      '  - path: ../../etc/evil.md',
      '  - content: x',
      '- [ ] Other',
      '  ```json',
      '  {"action": "send_email",',
      '   "to": "b@example.com",}',
      '  ```',
    ].join('\n');
    const { out } = await check('many.md', text);
    expect(out).toMatch(/invalid, 3 problems:/);
    expect(out).toMatch(/step 1 \(line 2\): email-server\.send_email has no argument "bodyy": did you mean "body"\?/);
    expect(out).toMatch(/step 2 \(line 6\): arguments do not fit vault-watcher\.write_note: argument "path" must match pattern/);
    expect(out).toMatch(/step 3 \(line 13\): the step's json block is not strict JSON: .*trailing comma/);
  });
});

describe('check, a zod-built server that leaves additionalProperties unset', () => {
  it('a misspelled argument is refused with a did-you-mean; nothing is called', async () => {
    const plan = ['## Steps', '- [ ] Send a message', '  - action: send', '  - to: x', '  - bodyy: hi', ''].join('\n');
    const { code, out } = await check('zod.md', plan, ws.configPath);
    expect(code).toBe(1);
    expect(out).toMatch(/step 1 \(line 2\): scripted\.send has no argument "bodyy": did you mean "body"\?/);
    expect(await ws.calls()).toEqual([]);
  });
});
