#!/usr/bin/env node
/**
 * A real session with `mcp-orchestrator serve`, printed as the README's transcript: an SDK client (the
 * AI's side) drafts with the draft_plan prompt, checks a plan with a mistake, fixes it, submits it; a
 * "human" moves the file into Approved/; a real daemon runs it; wait_for_plan returns the result.
 * Uses the shipped configuration (bundled servers, offline: e-mail goes to vault/Outbox/Email/) in a
 * temporary folder. Run: `npm run build && node tests/serve/transcript.mjs`.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ProgressNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'mcp-orchestrator.js');
const root = await mkdtemp(path.join(os.tmpdir(), 'orch-transcript-'));
const configDir = path.join(repo, 'config');
const config = JSON.parse(await readFile(path.join(configDir, 'orchestrator.json'), 'utf8'));
for (const server of Object.values(config.mcpServers)) {
  server.args = server.args.map((arg) => (arg.startsWith('.') ? path.resolve(configDir, arg) : arg));
  server.env = { ...server.env, MODELS_CONFIG: path.join(configDir, 'models.json') };
}
config.vault = '../vault';
config.logs = '../logs';
const configPath = path.join(root, 'config', 'orchestrator.json');
await mkdir(path.dirname(configPath), { recursive: true });
await writeFile(configPath, JSON.stringify(config, null, 2));
const vault = path.join(root, 'vault');

const out = (line = '') => process.stdout.write(`${line}\n`);
const shown = (text, max = 14) => {
  const lines = text.split('\n');
  return (lines.length > max ? [...lines.slice(0, max), `… (${lines.length - max} more lines)`] : lines).map((l) => `   ${l}`).join('\n');
};
const client = new Client({ name: 'transcript', version: '1.0.0' });
await client.connect(new StdioClientTransport({ command: process.execPath, args: [bin, 'serve', '--config', configPath], env: getDefaultEnvironment(), stderr: 'ignore' }));
const callTool = async (name, args, meta) => {
  out(`→ ${name} ${JSON.stringify(args, (key, value) => (key === 'markdown' ? `<${value.split('\n').length} lines>` : value))}`);
  const result = await client.callTool({ name, arguments: args, ...(meta ? { _meta: meta } : {}) }, undefined, { timeout: 40000 });
  out(`← ${result.isError ? '(isError) ' : ''}${shown(result.content.map((c) => c.text).join('\n')).trimStart()}`);
  out();
  return result;
};

out('$ mcp-orchestrator serve --config config/orchestrator.json   # started by the MCP client');
out();
const prompt = await client.getPrompt({ name: 'draft_plan', arguments: { goal: 'Send Acme the Q4 proposal note and keep a copy in the vault' } });
out('→ prompts/get draft_plan {"goal":"Send Acme the Q4 proposal note and keep a copy in the vault"}');
const promptText = prompt.messages[0].content.text;
out(`← ${shown(promptText.slice(promptText.indexOf('## Actions')), 6).trimStart()}`);
out();

const plan = (to) =>
  [
    '---',
    'id: acme-q4-note',
    '---',
    '# Plan: Q4 proposal note to Acme',
    '## Steps',
    '- [ ] Send the note',
    '  ```yaml',
    '  id: mail',
    '  action: send_email',
    `  ${to}: client@acme.example`,
    '  subject: Q4 proposal',
    '  body: Please find our Q4 proposal attached.',
    '  ```',
    '- [ ] Keep a copy',
    '  ```yaml',
    '  action: write_vault',
    '  path: Clients/Acme/q4-sent.md',
    '  content: "Sent: {{ steps.mail.text }}"',
    '  ```',
    '',
  ].join('\n');
await callTool('check_plan', { markdown: plan('too') });
await callTool('check_plan', { markdown: plan('to') });
const submitted = await callTool('submit_plan', { markdown: plan('to'), name: 'acme q4 note' });

const daemon = spawn(process.execPath, [bin, 'daemon', '--config', configPath], { stdio: 'ignore' });
await new Promise((resolve) => setTimeout(resolve, 1500)); // a person's pause before approving
out(`$ mv "vault/${submitted.structuredContent.path}" vault/Approved/   # the human approves`);
await rename(path.join(vault, submitted.structuredContent.path), path.join(vault, 'Approved', submitted.structuredContent.name));
out();
const progress = [];
client.setNotificationHandler(ProgressNotificationSchema, (n) => void progress.push(n.params));
await callTool('wait_for_plan', { id: 'acme-q4-note', timeout_ms: 30000 }, { progressToken: 'wait-1' });
for (const p of progress) out(`  (notifications/progress ${p.progress}/${p.total}: ${p.message})`);
out();
await callTool('get_plan', { id: 'acme-q4-note' });

await client.close();
daemon.kill('SIGTERM');
await new Promise((resolve) => daemon.once('exit', resolve));
await rm(root, { recursive: true, force: true });
