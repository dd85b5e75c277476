import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/errors.js';
import { loadConfig } from '../../../src/config/load.js';
import { ExecutionSchema } from '../../../src/config/schema.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(content: unknown, name = 'orchestrator.json'): Promise<string> {
  const file = path.join(dir, 'config', name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

async function loadError(file: string, env: Record<string, string> = {}): Promise<ConfigError> {
  const error: unknown = await loadConfig(file, env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

const stdio = { command: 'node', args: ['../dist/mcp_servers/email/server.js'] };

describe('loadConfig', () => {
  it('loads the default configuration shipped in config/', async () => {
    const file = path.join(repoRoot, 'config', 'orchestrator.json');
    const config = await loadConfig(file, {});
    expect(config.configPath).toBe(file);
    expect(config.vault).toBe(path.join(repoRoot, 'vault'));
    expect(config.logs).toBe(path.join(repoRoot, 'logs'));
    expect(Object.keys(config.mcpServers).sort()).toEqual(['email-server', 'linkedin-server', 'model-router', 'vault-watcher']);
    const email = config.mcpServers['email-server'];
    expect(email?.type).toBe('stdio');
    if (email?.type === 'stdio') {
      expect(email.cwd).toBe(path.join(repoRoot, 'config'));
      expect(path.resolve(email.cwd ?? '', email.args[0] ?? '')).toBe(path.join(repoRoot, 'dist/mcp_servers/email/server.js'));
      expect(email.env).toEqual({ SMTP_URL: '', SMTP_FROM: '', MCP_STATE_DIR: '' });
    }
    const expected: Record<string, [string, string]> = {
      send_email: ['email-server', 'send_email'],
      post_linkedin: ['linkedin-server', 'create_post'],
      read_linkedin: ['linkedin-server', 'list_posts'],
      read_vault: ['vault-watcher', 'read_note'],
      write_vault: ['vault-watcher', 'write_note'],
      monitor_vault: ['vault-watcher', 'recent_changes'],
      route_task: ['model-router', 'route_task'],
      ask_model: ['model-router', 'execute_prompt'],
      validate_output: ['model-router', 'validate_output'],
    };
    for (const [name, [server, tool]] of Object.entries(expected)) {
      expect(config.actions[name]).toMatchObject({ server, tool });
    }
    expect(config.actions['send_email']?.idempotent).toBe(false);
    expect(config.actions['send_email']?.keywords).toContain('send an email');
    expect(config.actions['ask_model']?.idempotent).toBe(false);
    expect(config.actions['write_vault']?.idempotent).toBe(true);
    expect(config.execution).toMatchObject({ mode: 'sequential', timeoutMs: 30000, maxRetries: 3 });
  });

  it('passes secrets from the environment into the default servers’ env', async () => {
    const file = path.join(repoRoot, 'config', 'orchestrator.json');
    const config = await loadConfig(file, { LINKEDIN_ACCESS_TOKEN: 'tok', GEMINI_API_KEY: 'AIza-x' });
    const linkedin = config.mcpServers['linkedin-server'];
    const router = config.mcpServers['model-router'];
    expect(linkedin?.type === 'stdio' && linkedin.env['LINKEDIN_ACCESS_TOKEN']).toBe('tok');
    expect(router?.type === 'stdio' && router.env['GEMINI_API_KEY']).toBe('AIza-x');
  });

  it('fills defaults and resolves paths against the config file’s directory', async () => {
    const file = await writeConfig({ vault: 'my-vault', logs: '/var/tmp/x-logs', mcpServers: { a: { ...stdio, cwd: '..' } } });
    const config = await loadConfig(file, {});
    expect(config.vault).toBe(path.join(dir, 'config', 'my-vault'));
    expect(config.logs).toBe('/var/tmp/x-logs');
    expect(config.mcpServers['a']).toMatchObject({ type: 'stdio', cwd: dir, env: {}, enabled: true, maxConcurrency: 4 });
    expect(config.execution).toMatchObject({
      mode: 'sequential', timeoutMs: 30000, maxRetries: 3, retryDelayMs: 2000, maxConcurrentPlans: 4, strict: false, dryRun: false,
    });
    expect(config.logging).toEqual({ logParameters: true, sanitize: true });
  });

  it('accepts comments and trailing commas (JSONC, as in the spec example)', async () => {
    const file = await writeConfig(`// top comment
{
  "vault": "v", /* inline */
  "mcpServers": { // the same shape as Claude configs
    "remote": { "type": "http", "url": "http://127.0.0.1:8080/mcp", "headers": { "Authorization": "Bearer \${TOKEN}" }, },
  },
}
`);
    const config = await loadConfig(file, { TOKEN: 'abc' });
    expect(config.mcpServers['remote']).toMatchObject({ type: 'http', url: 'http://127.0.0.1:8080/mcp', headers: { Authorization: 'Bearer abc' } });
  });

  it('treats a server with a url as HTTP even without a type', async () => {
    const file = await writeConfig({ mcpServers: { r: { url: 'https://example.com/mcp' } } });
    expect((await loadConfig(file, {})).mcpServers['r']).toMatchObject({ type: 'http', headers: {} });
  });

  it('reports a missing file as config_not_found', async () => {
    const error = await loadError(path.join(dir, 'nope.json'));
    expect(error.code).toBe('config_not_found');
    expect(error.message).toBe(`${path.join(dir, 'nope.json')}: configuration file not found; create it, or pass --config PATH or set ORCHESTRATOR_CONFIG`);
  });

  it('reports a directory as config_unreadable', async () => {
    const error = await loadError(dir);
    expect(error.code).toBe('config_unreadable');
    expect(error.message).toContain('it is a directory');
  });

  it('reports a JSON syntax error with its line and column', async () => {
    const file = await writeConfig('{\n  "vault": "v"\n  "logs": "l"\n}\n');
    const error = await loadError(file);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`${file}: line 3, column 3: invalid JSON: Expected ',' or '}' after property value`);
  });

  it('lists every schema problem on its own line with file, key path and expectation', async () => {
    const file = await writeConfig({
      execution: { mode: 'paralel', timeoutMs: 0, retries: 2 },
      logging: { sanitize: 'yes' },
      mcpServers: {
        'email-server': { command: 42, args: ['x', 3] },
        remote: { type: 'http', url: 'not a url', command: 'node' },
        sse: { type: 'sse', url: 'http://x/sse', headers: [] },
      },
      actions: { send_email: { server: 'email-server' } },
    });
    const error = await loadError(file);
    expect(error.code).toBe('config_invalid');
    expect(error.problems).toEqual([
      `${file}: execution.mode: expected one of "sequential", "parallel", got "paralel"`,
      `${file}: execution.timeoutMs: expected a number > 0, got 0`,
      `${file}: execution.retries: unknown key; expected one of: ${Object.keys(ExecutionSchema.shape).join(', ')}`,
      `${file}: logging.sanitize: expected true or false, got a string`,
      `${file}: mcpServers.email-server.command: expected a string, got 42`,
      `${file}: mcpServers.email-server.args[1]: expected a string, got 3`,
      `${file}: mcpServers.remote.url: expected an http:// or https:// URL (for example http://127.0.0.1:8080/mcp)`,
      `${file}: mcpServers.remote.command: unknown key; expected one of: type, url, headers, oauth, maxConcurrency, timeoutMs, enabled, nodes`,
      `${file}: mcpServers.sse.headers: expected an object ({...}), got a list`,
      `${file}: actions.send_email.tool: missing; expected a string`,
    ]);
    expect(error.message).toBe(error.problems.join('\n'));
  });

  it('names an action whose server is not configured', async () => {
    const file = await writeConfig({ mcpServers: { a: stdio }, actions: { x: { server: 'b', tool: 't' } } });
    const error = await loadError(file);
    expect(error.message).toBe(`${file}: actions.x.server: unknown server "b"; expected one of the servers in mcpServers (a)`);
  });

  it('names an unresolved variable and where it is used', async () => {
    const file = await writeConfig({ mcpServers: { remote: { url: 'https://x/mcp', headers: { Authorization: 'Bearer ${TOKEN}' } } } });
    const error = await loadError(file);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(
      `${file}: mcpServers.remote.headers.Authorization: environment variable TOKEN is not set: set it, or write \${TOKEN:-default} to make it optional`,
    );
  });

  it('reports only the variable when its emptied value would also fail validation', async () => {
    const file = await writeConfig({ mcpServers: { remote: { url: '${MCP_URL}' } } });
    const error = await loadError(file);
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('mcpServers.remote.url: environment variable MCP_URL is not set');
  });

  it('rejects a top level that is not an object', async () => {
    const file = await writeConfig('[]');
    expect((await loadError(file)).message).toBe(`${file}: (top level): expected an object ({...}), got a list`);
  });
});
