/** The `cluster` block and server placement (SPEC §12): absent changes nothing; a bad block is one clear error each. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

async function load(config: unknown, env: Record<string, string> = {}) {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-cluster-config-'));
  const file = path.join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ vault: './vault', ...(config as object) }));
  return loadConfig(file, { HOME: dir, ...env });
}

const servers = {
  mail: { command: 'node', args: ['mail.js'], nodes: ['cloud'] },
  chat: { command: 'node', args: ['chat.js'], nodes: ['laptop', 'cloud'] },
  everywhere: { command: 'node', args: ['x.js'] },
};

describe('cluster configuration', () => {
  it('is absent by default: no cluster, servers untouched', async () => {
    const config = await load({ mcpServers: { everywhere: servers.everywhere } });
    expect(config.cluster).toBeUndefined();
    expect(config.mcpServers['everywhere']?.type).toBe('stdio');
  });

  it('expands variables, defaults leaseMs to 15 s, accepts a duration, and masks the URL and its password', async () => {
    const url = 'postgres://orch:pa55-w0rd-x@db.example:5432/orch';
    const config = await load({ cluster: { postgres: '${DATABASE_URL}', node: '${ORCHESTRATOR_NODE}' } }, { DATABASE_URL: url, ORCHESTRATOR_NODE: 'laptop' });
    expect(config.cluster).toEqual({ postgres: url, node: 'laptop', leaseMs: 15_000 });
    expect(config.envValues).toContain(url);
    const literal = await load({ cluster: { postgres: url, node: 'cloud', leaseMs: '30s' } });
    expect(literal.cluster?.leaseMs).toBe(30_000);
    expect(literal.envValues).toEqual(expect.arrayContaining([url, 'pa55-w0rd-x']));
  });

  it('starts a server only on the nodes it names (elsewhere it reads as switched off, with where it runs)', async () => {
    const config = await load({ cluster: { postgres: 'postgres://h/db', node: 'laptop' }, mcpServers: servers });
    expect(config.mcpServers['mail']).toEqual({ type: 'disabled', enabled: false, maxConcurrency: 4, elsewhere: ['cloud'] });
    expect(config.mcpServers['chat']?.type).toBe('stdio');
    expect(config.mcpServers['everywhere']?.type).toBe('stdio');
  });

  it('reports each bad field with its key path and how to fix it', async () => {
    const error = await load({ cluster: { postgres: 'mysql://h/db', node: 'my laptop', leaseMs: 100, extra: 1 } }).catch((e: Error) => e);
    const message = String((error as Error).message);
    expect(message).toMatch(/cluster\.postgres: expected a PostgreSQL connection URL/);
    expect(message).toMatch(/cluster\.node: expected a node name/);
    expect(message).toMatch(/cluster\.leaseMs: expected at least 500 ms/);
    expect(message).toMatch(/cluster\.extra: unknown key/);
    const missing = await load({ cluster: {} }).catch((e: Error) => e);
    expect(String((missing as Error).message)).toMatch(/cluster\.postgres: missing/);
    expect(String((missing as Error).message)).toMatch(/cluster\.node: missing/);
    const unset = await load({ cluster: { postgres: '${DATABASE_URL}', node: 'a' } }).catch((e: Error) => e);
    expect(String((unset as Error).message)).toMatch(/cluster\.postgres: .*DATABASE_URL/);
  });

  it('refuses `nodes` without a cluster block, and an empty list', async () => {
    const error = await load({ mcpServers: { mail: servers.mail } }).catch((e: Error) => e);
    expect(String((error as Error).message)).toMatch(/mcpServers\.mail\.nodes: only means something with a "cluster" block/);
    const empty = await load({ cluster: { postgres: 'postgres://h/db', node: 'a' }, mcpServers: { mail: { ...servers.mail, nodes: [] } } }).catch((e: Error) => e);
    expect(String((empty as Error).message)).toMatch(/mcpServers\.mail\.nodes: list at least one node/);
  });
});
