/**
 * Security review of the path from config to server (SPEC §6, §8, §9): servers start without a shell,
 * each sees only the environment its configuration passes, logs mask parameters, results and errors at
 * any depth, and configured secrets are never printed — by `servers`, `check`, `run`, plan files or
 * logs — even when the error text that carries them comes from fetch or from the server itself.
 * (That a plan cannot make the vault server write into the lifecycle folders is in hostile-corpus.test.ts.)
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon-process.js';
import { createFaultWorkspace, FAULT_SERVER, faultPlan, startFaultHttp, type FaultCall, type FaultWorkspace } from './fault-helpers.js';

let ws: FaultWorkspace | undefined;
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  await ws?.cleanup();
  ws = undefined;
});

async function editConfig(workspace: FaultWorkspace, edit: (config: Record<string, Record<string, unknown>>) => void): Promise<void> {
  const config = JSON.parse(await readFile(workspace.configPath, 'utf8')) as Record<string, Record<string, unknown>>;
  edit(config);
  await writeFile(workspace.configPath, JSON.stringify(config, null, 2));
}

const envPlan = (id: string, action: string, show: string[] = []) =>
  `---\nid: ${id}\naction: ${action}\nshow: ${JSON.stringify(show)}\n---\n`;

describe('starting servers', () => {
  it('passes command arguments and env values to the server literally: no shell ever sees them', async () => {
    const workspace = await createFaultWorkspace();
    ws = workspace;
    const hostile = ['$(touch PWNED-1)', '`touch PWNED-2`', '; touch PWNED-3', '| touch PWNED-4', '&& touch PWNED-5', '$HOME', '*'];
    await editConfig(workspace, (config) => {
      config.mcpServers = {
        ...config.mcpServers,
        literal: { command: process.execPath, args: [FAULT_SERVER, ...hostile], env: { PROBE: '$(touch PWNED-6)', CALLS_FILE: workspace.callsFile }, cwd: workspace.dir },
        shelly: { command: `${process.execPath}; touch PWNED-7`, args: [FAULT_SERVER], cwd: workspace.dir },
      };
      config.actions = { ...config.actions, probe: { server: 'literal', tool: 'env' }, shelly: { server: 'shelly', tool: 'env' } };
    });
    const good = await workspace.writePlan('probe.md', envPlan('probe', 'probe', ['PROBE']));
    expect((await runCli(['--config', workspace.configPath, 'run', good])).code).toBe(0);
    const call = (await workspace.calls()).find((c) => c.tool === 'env') as FaultCall & { argv: string[]; values: Record<string, string> };
    expect(call.argv).toEqual(hostile);
    expect(call.values.PROBE).toBe('$(touch PWNED-6)');
    // A command line with shell syntax is a file name that does not exist: the server cannot start.
    const bad = await workspace.writePlan('shelly.md', envPlan('shelly', 'shelly'));
    const refused = await runCli(['--config', workspace.configPath, 'run', bad]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/could not list its tools/);
    expect((await readdir(workspace.dir)).filter((name) => name.startsWith('PWNED'))).toEqual([]);
    expect(existsSync(path.join(process.cwd(), 'PWNED-1'))).toBe(false);
  });

  it("gives each server only the safe defaults, VAULT_DIR, its private MCP_STATE_DIR and its own env block, never the daemon's", async () => {
    const workspace = await createFaultWorkspace({ faultEnv: { ONLY_MINE: 'yes' } });
    ws = workspace;
    await editConfig(workspace, (config) => {
      config.actions = { ...config.actions, probe: { server: 'fault', tool: 'env' } };
    });
    await workspace.writePlan('probe.md', envPlan('probe', 'probe', ['VAULT_DIR', 'ONLY_MINE']), 'Approved');
    const daemon = startDaemon(workspace.configPath, ['--once'], {
      ORCH_SECRET_PROBE: 'daemon-only-secret',
      ANTHROPIC_API_KEY: 'sk-ant-api03-daemon-only',
      SMTP_URL: 'smtp://user:daemon-only@smtp.example.com',
    });
    expect(await daemon.exited, daemon.output()).toBe(0);
    const call = (await workspace.calls()).find((c) => c.tool === 'env') as FaultCall & { env: string[]; values: Record<string, string> };
    const allowed = new Set(['HOME', 'LOGNAME', 'PATH', 'SHELL', 'TERM', 'USER', 'VAULT_DIR', 'MCP_STATE_DIR', 'CALLS_FILE', 'STATE_DIR', 'ONLY_MINE']);
    expect(call.env.filter((name) => !allowed.has(name))).toEqual([]);
    expect(call.values).toEqual({ VAULT_DIR: workspace.vault, ONLY_MINE: 'yes' });
  });
});

describe('what reaches the logs', () => {
  it('masks secrets and addresses in nested and array parameters, results, retries and error messages', async () => {
    const workspace = await createFaultWorkspace({ execution: { retryDelayMs: 1, maxRetries: 1 } });
    ws = workspace;
    const secretMessage = 'upstream said: Authorization: Bearer abc.DEF-secret.ghi; key sk-ant-api03-SECRETSECRET for carol@example.org password=hunter2';
    const plan = faultPlan('masked', [
      {
        action: 'fault',
        name: 'answers',
        script: ['ok'],
        extra: [
          'text: "token=RESULT-SECRET-1 for dave@example.net"',
          'nested: [[{password: in-array-secret}], {deep: {list: [erin@example.com, {api_key: deep-secret-2}]}}]',
        ].join('\n'),
      },
      { action: 'fault', name: 'fails', script: ['fail:server_error', 'fail:authentication'], extra: `message: ${JSON.stringify(secretMessage)}` },
    ]);
    const file = await workspace.writePlan('masked.md', plan);
    const result = await runCli(['--config', workspace.configPath, 'run', file]);
    expect(result.code).toBe(1);
    const leaks = ['abc.DEF-secret.ghi', 'sk-ant-api03-SECRETSECRET', 'carol@example.org', 'hunter2', 'RESULT-SECRET-1', 'dave@example.net', 'in-array-secret', 'erin@example.com', 'deep-secret-2'];
    for (const name of ['mcp_actions.log', 'mcp_actions.jsonl'] as const) {
      const log = await workspace.readLog(name);
      expect(log).toMatch(/RETRY/);
      expect(log).toMatch(/RESPONSE/);
      for (const secret of leaks) expect(log, `${name} leaks ${secret}`).not.toContain(secret);
    }
  });
});

describe('configured secrets', () => {
  const TOKEN = 'header-secret-TOKEN-4242';
  const PASSWORD = 'url-secret-PASS-7777';
  const QUERY_KEY = 'query-secret-KEY-9999';
  const STDIO_TOKEN = 'stdio-secret-TOKEN-5555';

  it('are never printed by servers, check, run, plan files or logs, even when an error quotes them', async () => {
    const http = await startFaultHttp({ HTTP_TOKEN: 'the-right-token', HTTP_ECHO_AUTH: '1' });
    stops.push(http.stop);
    const workspace = await createFaultWorkspace();
    ws = workspace;
    await editConfig(workspace, (config) => {
      config.mcpServers = {
        ...config.mcpServers,
        // Refuses the token and quotes it back in its 401 body.
        echoing: { type: 'http', url: http.url, headers: { Authorization: `Bearer ${TOKEN}` } },
        // fetch refuses URLs with credentials, quoting the whole URL in its error.
        creds: { type: 'http', url: `http://robot:${PASSWORD}@127.0.0.1:9/mcp?api_key=${QUERY_KEY}` },
        // Dies at start, printing its token on stderr.
        dying: { command: process.execPath, args: [FAULT_SERVER], env: { FAULT_ON_START: 'exit', API_TOKEN: STDIO_TOKEN } },
      };
      config.actions = {
        ...config.actions,
        echoing: { server: 'echoing', tool: 'fault' },
        creds: { server: 'creds', tool: 'fault' },
        dying: { server: 'dying', tool: 'fault' },
      };
    });
    const outputs: string[] = [];
    const cli = async (args: string[]) => {
      const result = await runCli(['--config', workspace.configPath, ...args]);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    for (const action of ['echoing', 'creds', 'dying']) {
      const file = await workspace.writePlan(`${action}.md`, faultPlan(action, [{ action, name: action, script: ['ok'] }]));
      expect((await cli(['check', file])).stdout).toMatch(/could not list its tools/);
      expect((await cli(['run', file])).code).toBe(1);
      outputs.push(await readFile(file, 'utf8'));
    }
    await cli(['servers']);
    await cli(['servers', '--json']);
    // An invalid configuration is reported without dumping the values around the mistake.
    await editConfig(workspace, (config) => {
      config.execution = { ...config.execution, mode: 'turbo' };
    });
    const broken = await cli(['servers']);
    expect(broken.code).toBe(2);
    outputs.push(await workspace.readLog('mcp_actions.log'), await workspace.readLog('mcp_actions.jsonl'));

    const all = outputs.join('\n');
    expect(all).toMatch(/\[REDACTED\]/); // the messages were there, masked
    for (const secret of [TOKEN, PASSWORD, QUERY_KEY, STDIO_TOKEN]) expect(all, `printed ${secret}`).not.toContain(secret);
  });
});
