/**
 * Figure 10, `stats` over a large audit log: a generated mcp_actions.jsonl of `lines` lines (a realistic
 * mix: per attempt CALL, PARAMS, then RESPONSE + SUCCESS or RETRY / FAILED; per plan CLAIM, DONE, AUDIT),
 * then spawn → exit of `mcp-orchestrator stats` on it, as a user runs it (start-up included): the whole
 * log, `--json`, and `--since 24h`. bench/stats-million.mjs is the same on its own.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { DAEMON_ENTRY } from '../lib/paths.mjs';
import { hrNow, msBetween } from '../lib/time.mjs';

export const VARIANTS = [[], ['--json'], ['--since', '24h']];

export async function statsFigure({ reps, lines, log }) {
  const dir = await makeStatsProject(lines, log);
  try {
    const out = Object.fromEntries(VARIANTS.map((args) => [args.join(' ') || 'whole log', []]));
    for (let rep = 0; rep < reps; rep += 1) {
      for (const args of VARIANTS) {
        const seconds = await timeStats(dir.configPath, args);
        out[args.join(' ') || 'whole log'].push(seconds);
      }
      log(`  stats rep ${rep + 1}: ${Object.entries(out).map(([k, v]) => `${k} ${v.at(-1).toFixed(2)} s`).join(', ')}`);
    }
    return out;
  } finally {
    await dir.cleanup();
  }
}

/** A project (config, empty vault, logs/) whose mcp_actions.jsonl has `lines` lines. */
export async function makeStatsProject(lines, log = () => undefined) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-bench-stats-'));
  const logs = path.join(dir, 'logs');
  await mkdir(logs, { recursive: true });
  await mkdir(path.join(dir, 'vault', 'Approved'), { recursive: true });
  await mkdir(path.join(dir, 'vault', 'In_Progress'), { recursive: true });
  const configPath = path.join(dir, 'orchestrator.json');
  await writeFile(configPath, JSON.stringify({ vault: './vault', logs: './logs', mcpServers: {}, actions: {} }));
  const file = path.join(logs, 'mcp_actions.jsonl');
  const t0 = hrNow();
  const written = await generateLog(file, lines);
  log(`  stats: generated ${written.toLocaleString('en')} lines (${((await stat(file)).size / 1e6).toFixed(0)} MB) in ${(msBetween(t0, hrNow()) / 1000).toFixed(1)} s`);
  return { dir, configPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Seconds from spawn to exit of `stats` with `args`; throws unless it exits 0. */
export function timeStats(configPath, args) {
  const t0 = hrNow();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DAEMON_ENTRY, '--config', configPath, 'stats', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.once('exit', (code) => (code === 0 ? resolve(msBetween(t0, hrNow()) / 1000) : reject(new Error(`stats ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

const SERVERS = [
  ['email-server', 'send_email'],
  ['vault-watcher', 'write_note'],
  ['vault-watcher', 'read_note'],
  ['model-router', 'ask_model'],
  ['linkedin-server', 'create_post'],
];
const ERRORS = ['rate_limit', 'timeout', 'server_error', 'connection', 'tool_error'];

/** Writes `lines` audit lines spread over the last 10 days; returns how many were written. */
export async function generateLog(file, lines) {
  let seed = 42;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const end = Date.now();
  const span = 10 * 86_400_000;
  const out = createWriteStream(file);
  let written = 0;
  let plan = 0;
  let chunk = [];
  const push = (record) => {
    chunk.push(JSON.stringify(record));
    written += 1;
  };
  while (written < lines) {
    plan += 1;
    let at = end - span + Math.floor((written / lines) * span);
    const ts = () => new Date(at).toISOString();
    const id = `20260216-${plan}-Plan`;
    push({ ts: ts(), event: 'CLAIM', plan: id, message: `claimed ${id}.md into In_Progress/${id}.md` });
    const [server, tool] = SERVERS[plan % SERVERS.length];
    for (let attempt = 1; attempt <= 3 && written < lines; attempt++) {
      const base = { plan: id, step: 1, server, tool, attempt, approved_by: 'user@***.com' };
      push({ ts: ts(), event: 'CALL', ...base });
      push({ ts: ts(), event: 'PARAMS', ...base, params: { to: 'client@***.com', subject: 'Q4 proposal', body: 'Please find the proposal attached. '.repeat(3), idempotency_key: `${id}:1:abcdef0123456789` } });
      const duration = Math.floor(rand() * 3000);
      at += duration;
      if (rand() < 0.85 || attempt === 3) {
        if (rand() < 0.97) {
          push({ ts: ts(), event: 'RESPONSE', ...base, message: 'message id <abc@example> delivered via outbox' });
          push({ ts: ts(), event: 'SUCCESS', ...base, status: 'success', duration_ms: duration });
          break;
        }
        push({ ts: ts(), event: 'FAILED', ...base, status: 'failed', error_type: ERRORS[plan % ERRORS.length], duration_ms: duration, message: 'scripted failure' });
        break;
      }
      push({ ts: ts(), event: 'RETRY', ...base, status: 'retrying', error_type: ERRORS[attempt % ERRORS.length], duration_ms: duration, message: 'transient' });
    }
    push({ ts: ts(), event: 'DONE', plan: id, status: 'completed' });
    push({ ts: ts(), event: 'AUDIT', plan: id, status: 'Done', message: `moved to Done/${id}.md` });
    if (chunk.length >= 10_000) {
      if (!out.write(`${chunk.join('\n')}\n`)) await once(out, 'drain');
      chunk = [];
    }
  }
  out.end(chunk.length > 0 ? `${chunk.join('\n')}\n` : '');
  await once(out, 'close');
  return written;
}
