/**
 * Secrets by origin (SPEC §8, issue 12), against the real daemon: a value that came from an environment
 * variable the configuration names — here an action default `text: "tag ${RT_SECRET}"` and a `name`, under
 * keys no rule calls secret — is sent to the server, yet never reaches a log, the plan file, the journal
 * or the vault audit, in arguments, results or error messages.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startDaemon } from '../helpers/daemon-process.js';
import { createWorkspace, type Workspace } from '../helpers/workspace.js';

const SECRET = 'rt-Zq81-kept-out-of-every-file';
let ws: Workspace | undefined;
afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
});

/** Every file under `dir`, recursively, with its text. */
async function filesUnder(dir: string): Promise<Array<{ file: string; text: string }>> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  return Promise.all(files.map(async (file) => ({ file, text: await readFile(file, 'latin1') })));
}

const PLAN = [
  '---',
  'id: tagged',
  '---',
  '## Steps',
  '- [ ] echo the tag',
  '  ```yaml',
  '  action: tagged_echo',
  '  ```',
  '- [ ] fail with the tag in its message',
  '  ```yaml',
  '  action: tagged_fail',
  '  ```',
  '',
].join('\n');

describe('a value from an environment variable named in the configuration', () => {
  it('is sent, and never written to the logs, the plan file, the journal or the vault audit', async () => {
    ws = await createWorkspace({
      actions: {
        tagged_echo: { server: 'scripted', tool: 'echo', idempotent: true, defaults: { text: 'tag ${RT_SECRET}' } },
        tagged_fail: { server: 'scripted', tool: 'act', idempotent: true, retries: 0, defaults: { name: '${RT_SECRET}', script: ['fail:tool_error'] } },
      },
    });
    await ws.writePlan('tagged.md', PLAN, 'Approved');
    const daemon = startDaemon(ws.configPath, ['--once'], { RT_SECRET: SECRET });
    await daemon.exited;

    // It did its job: the server received the real value, and the plan ran to its failure.
    const calls = await ws.calls();
    expect(calls.map((call) => call.args.text ?? call.args.name)).toEqual([`tag ${SECRET}`, SECRET]);
    expect(await ws.list('Failed')).toEqual(['tagged.md']);

    const written = [...(await filesUnder(ws.logs)), ...(await filesUnder(ws.vault)), ...(await filesUnder(ws.state))];
    expect(written.map((f) => path.relative(ws!.dir, f.file))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^logs\/mcp_actions\.log$/), expect.stringMatching(/^vault\/Failed\/tagged\.md$/), expect.stringMatching(/^vault\/Logs\//)]),
    );
    expect(written.some((f) => f.file.startsWith(ws!.state) && /journal/.test(f.file))).toBe(true);
    for (const { file, text } of written) expect(text.includes(SECRET), `${file} holds the value of RT_SECRET`).toBe(false);
    expect(daemon.output()).not.toContain(SECRET);

    // Masked, not dropped: the lines still say what happened.
    const log = await ws.readLog();
    expect(log).toMatch(/PARAMS - scripted\.echo .*"text":"tag \[REDACTED\]"/);
    expect(log).toMatch(/FAILED - scripted\.act .*scripted failure of \[REDACTED\]/);
  });
});
