/**
 * Configurations pasted as they are from the three clients whose formats users copy: Claude Desktop
 * (`claude_desktop_config.json`, also what Cline and Roo write), Claude Code (`.mcp.json`) and VS Code
 * (`.vscode/mcp.json`: `servers`, `inputs`, `envFile`, `${input:…}`, `${workspaceFolder}`). Each loads
 * and `servers` reaches every enabled server in it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerReport } from '../../src/cli/commands/servers.js';
import { loadConfig } from '../../src/config/load.js';
import { startSseServer, type RemoteFixture } from '../fixtures/servers/http-servers.js';
import { runCli } from '../helpers/cli.js';
import { SCRIPTED_SERVER } from '../helpers/workspace.js';

let dir: string;
let sse: RemoteFixture;
const node = JSON.stringify(process.execPath);
const scripted = JSON.stringify(SCRIPTED_SERVER);

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'orch-pasted-'));
  sse = await startSseServer();
});
afterAll(async () => {
  await sse.close();
  await rm(dir, { recursive: true, force: true });
});

async function write(relative: string, text: string): Promise<string> {
  const file = path.join(dir, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

async function serversOf(file: string, env: Record<string, string> = {}): Promise<Map<string, ServerReport>> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const result = await runCli(['--config', file, 'servers', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code, result.stdout).toBe(0);
    return new Map((JSON.parse(result.stdout) as ServerReport[]).map((r) => [r.name, r]));
  } finally {
    for (const key of Object.keys(env)) if (!(key in saved)) delete process.env[key];
  }
}

describe('pasted client configurations', () => {
  it('Claude Desktop: mcpServers with command/args/env, plus the keys Cline writes (disabled, autoApprove, timeout)', async () => {
    const file = await write(
      'desktop/claude_desktop_config.json',
      `{
  "mcpServers": {
    "scripted": {
      "command": ${node},
      "args": [${scripted}],
      "env": { "STATE_DIR": "${dir}/desktop-state" },
      "autoApprove": ["echo"],
      "alwaysAllow": ["add"],
      "timeout": 60,
      "disabled": false
    },
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/username/Desktop"],
      "disabled": true
    },
    "weird-future-shape": { "enabled": false, "transport": { "kind": "websocket" }, "url": 42 }
  }
}
`,
    );
    const servers = await serversOf(file);
    expect(servers.get('scripted')).toMatchObject({ type: 'stdio', connected: true, tools: expect.arrayContaining(['echo']) });
    expect(servers.get('filesystem')).toMatchObject({ enabled: false, connected: false });
    expect(servers.get('weird-future-shape')).toMatchObject({ enabled: false });
  });

  it('Claude Code .mcp.json: typed stdio, sse and http entries with ${VAR} and ${VAR:-default} in env and headers', async () => {
    const file = await write(
      'code/.mcp.json',
      `{
  "mcpServers": {
    "scripted": {
      "type": "stdio",
      "command": ${node},
      "args": [${scripted}],
      "env": { "STATE_DIR": "\${STATE_DIR:-${dir}/code-state}" }
    },
    "remote-api": {
      "type": "sse",
      "url": "${sse.origin}/sse",
      "headers": { "Authorization": "Bearer \${API_TOKEN}" }
    },
    "http-service": {
      "type": "http",
      "url": "https://api.example.com/mcp",
      "headers": { "X-API-Key": "\${API_KEY}" },
      "enabled": false
    }
  }
}
`,
    );
    const before = sse.requests.length;
    const servers = await serversOf(file, { API_TOKEN: 'claude-code-token-123', API_KEY: 'k-123456' });
    expect(servers.get('scripted')).toMatchObject({ connected: true });
    expect(servers.get('remote-api')).toMatchObject({ type: 'sse', connected: true, tools: expect.arrayContaining(['echo', 'add']) });
    expect(servers.get('http-service')).toMatchObject({ enabled: false });
    expect(sse.requests.slice(before).every((r) => r.headers.authorization === 'Bearer claude-code-token-123')).toBe(true);
  });

  it('VS Code .vscode/mcp.json: top-level servers and inputs, ${input:…}, ${workspaceFolder}, envFile', async () => {
    await write('vscode/.env', '# loaded by envFile\nSTATE_DIR=' + path.join(dir, 'vscode-state') + '\nEXTRA="from the env file"\n');
    const file = await write(
      'vscode/.vscode/mcp.json',
      `{
  // comments are allowed in VS Code's mcp.json
  "inputs": [
    { "type": "promptString", "id": "api-key", "description": "API key", "password": true }
  ],
  "servers": {
    "scripted": {
      "type": "stdio",
      "command": ${node},
      "args": [${scripted}],
      "env": { "API_KEY": "\${input:api-key}" },
      "envFile": "\${workspaceFolder}/.env",
      "dev": { "watch": "src/**/*.ts" }
    },
    "remote": { "type": "sse", "url": "${sse.origin}/sse", "headers": { "Authorization": "Bearer \${env:REMOTE_TOKEN}" } }
  }
}
`,
    );
    const config = await loadConfig(file, { MCP_INPUT_API_KEY: 'input-secret-42', REMOTE_TOKEN: 'vs-token-99' });
    const stdio = config.mcpServers['scripted'];
    expect(stdio).toMatchObject({
      type: 'stdio',
      env: { API_KEY: 'input-secret-42', STATE_DIR: path.join(dir, 'vscode-state'), EXTRA: 'from the env file' },
    });
    expect(config.vault).toBe(path.join(dir, 'vscode', 'vault'));
    const servers = await serversOf(file, { MCP_INPUT_API_KEY: 'input-secret-42', REMOTE_TOKEN: 'vs-token-99' });
    expect(servers.get('scripted')).toMatchObject({ connected: true });
    expect(servers.get('remote')).toMatchObject({ connected: true });
  });
});

describe('pasted configurations: what is still refused', () => {
  it('names the variable an unanswered VS Code input reads, and a typo in a pasted entry', async () => {
    const file = await write(
      'bad/.vscode/mcp.json',
      `{ "servers": { "a": { "type": "stdio", "command": "x", "env": { "K": "\${input:api-key}" }, "argz": [] } } }`,
    );
    const result = await runCli(['--config', file, 'servers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: servers.a.env.K: "\${input:api-key}" is a VS Code input prompt, which a daemon cannot show: set the environment variable MCP_INPUT_API_KEY`);
    expect(result.stderr).toMatch(/servers\.a\.argz: unknown key; expected one of: type, command, args, env, cwd, envFile/);
  });

  it('refuses both spellings of the servers object at once', async () => {
    const file = await write('both.json', JSON.stringify({ mcpServers: {}, servers: {} }));
    const result = await runCli(['--config', file, 'servers']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('both "mcpServers" and "servers"');
  });
});
