/**
 * What every cluster test file shares (SPEC §12): one real PostgreSQL for the file, and per test a fresh
 * database, a workspace whose one configuration every node runs (`cluster` block, each node its own
 * state folder), daemons started as nodes, and everything stopped after the test — a paused node is
 * resumed first, so it can be stopped.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startDaemon, waitFor, type DaemonProcess } from './daemon-process.js';
import { startPostgres, type Postgres } from './postgres.js';
import { createWorkspace, SCRIPTED_SERVER, type Workspace, type WorkspaceOptions } from './workspace.js';

export interface ClusterOptions {
  readonly leaseMs?: number;
  readonly workspace?: WorkspaceOptions;
  /** Further changes to the shared configuration (servers placed on nodes, a vault per node, …). */
  readonly edit?: (config: Record<string, any>, ws: Workspace) => void;
}

export interface ClusterWorkspace {
  readonly ws: Workspace;
  /** The test database's URL (a secret in the product: it holds the password). */
  readonly url: string;
  /** A daemon as node `node`, once it says it started (with no error on its output). */
  start(node: string, env?: Record<string, string>, args?: string[]): Promise<DaemonProcess>;
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface ClusterSuite {
  readonly postgres: () => Postgres;
  cluster(options?: ClusterOptions): Promise<ClusterWorkspace>;
  /** A workspace or daemon a test made itself: cleaned up or stopped after it. */
  use(ws: Workspace): Workspace;
  track(...daemons: DaemonProcess[]): void;
  /** Run after each test, before the daemons stop (a sync client, MCP clients). */
  afterEachTest(cleanup: () => Promise<void>): void;
}

/** One PostgreSQL for the test file: started before its first test, stopped after its last. */
export function postgresForFile(): () => Postgres {
  let server: Postgres | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => server?.stop());
  return () => {
    if (!server) throw new Error('PostgreSQL is not started yet (call postgresForFile() at the top of the file)');
    return server;
  };
}

/** Registers the file's hooks; call it once at the top of a test file. */
export function clusterSuite(): ClusterSuite {
  const postgres = postgresForFile();
  let workspaces: Workspace[] = [];
  let daemons: DaemonProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups) await cleanup();
    for (const daemon of daemons) if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.child.kill('SIGCONT');
    await Promise.all(daemons.map((daemon) => daemon.stop()));
    for (const ws of workspaces) await ws.cleanup();
    workspaces = [];
    daemons = [];
  });
  const suite: ClusterSuite = {
    postgres,
    use(ws) {
      workspaces.push(ws);
      return ws;
    },
    track(...started) {
      daemons.push(...started);
    },
    afterEachTest(cleanup) {
      cleanups.push(cleanup);
    },
    async cluster(options = {}) {
      const url = await postgres().createDatabase();
      const ws = suite.use(await createWorkspace({ daemon: { scanIntervalMs: 300 }, ...options.workspace }));
      const config = JSON.parse(await readFile(ws.configPath, 'utf8')) as Record<string, any>;
      config['cluster'] = { postgres: '${DATABASE_URL}', node: '${ORCHESTRATOR_NODE}', leaseMs: options.leaseMs ?? 3_000 };
      config['state'] = '../state-${ORCHESTRATOR_NODE}';
      options.edit?.(config, ws);
      await writeFile(ws.configPath, JSON.stringify(config, null, 2));
      return {
        ws,
        url,
        async start(node, env = {}, args = []) {
          const daemon = startDaemon(ws.configPath, args, { DATABASE_URL: url, ORCHESTRATOR_NODE: node, ...env });
          daemons.push(daemon);
          await waitFor(() => daemon.output().includes(`cluster: node ${node}`) || daemon.child.exitCode !== null, `node ${node} to start`);
          expect(daemon.output()).not.toMatch(/error/i);
          return daemon;
        },
        query: (sql, params = []) => query(url, sql, params),
      };
    },
  };
  return suite;
}

/** One query over a connection of its own. */
export async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * The placement tests' configuration: server A started only on node `laptop`, B only on `cloud`, each the
 * scripted server recording the node that started it with every call; actions `on_a`, `on_b`.
 */
export function placeServers(config: Record<string, any>, ws: Workspace): void {
  const scripted = (node: string) => ({
    command: process.execPath,
    args: [SCRIPTED_SERVER],
    env: { CALLS_FILE: ws.callsFile, STATE_DIR: path.join(ws.dir, 'scripted-state'), SERVER_NODE: '${ORCHESTRATOR_NODE}' },
    nodes: [node],
  });
  config['mcpServers'] = { A: scripted('laptop'), B: scripted('cloud') };
  config['actions'] = { on_a: { server: 'A', tool: 'act', idempotent: false }, on_b: { server: 'B', tool: 'act', idempotent: false } };
}
