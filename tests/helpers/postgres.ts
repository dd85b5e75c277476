/**
 * Test helper: a real PostgreSQL on loopback, from a temporary data directory (issue 16: no mocks of the
 * database). initdb + pg_ctl from PATH or Debian's /usr/lib/postgresql/<version>/bin (`.ci/run` installs
 * them on a fresh machine). PostgreSQL refuses to run as root, so under root the cluster belongs to
 * `nobody` and every binary runs as that user. A random free port; the unix socket lives in the temp
 * directory. `stop()` is `pg_ctl stop -m immediate`, so no server outlives the test file (no-leftovers.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Postgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  readonly port: number;
  /** A URL to a fresh, empty database (one per test keeps tests apart). */
  createDatabase(name?: string): Promise<string>;
  /** `pg_ctl restart -m immediate`: the server dies and comes back on the same port with its data. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** `stop()`, synchronously: for a process 'exit' handler (a soak interrupted by SIGINT or an error). */
  stopNow(): void;
}

/** The directory holding initdb and pg_ctl; undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir !== '' && existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl'))) return dir;
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = path.join(root, version, 'bin');
    if (existsSync(path.join(dir, 'initdb'))) return dir;
  }
  return undefined;
}

interface User {
  readonly uid: number;
  readonly gid: number;
}

/** Root cannot run PostgreSQL: the cluster is `nobody`'s then. */
function runAs(): User | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function run(bin: string, args: string[], user: User | undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    // pg_ctl's server inherits these pipes: 'ignore' them past start, or the test would wait on them.
    const child = spawn(bin, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${path.basename(bin)} ${args.join(' ')} exited ${code}: ${output}`))));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

let databases = 0;

export async function startPostgres(): Promise<Postgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin); .ci/run installs it with apt-get');
  const user = runAs();
  const root = mkdtempSync(path.join(tmpdir(), 'orch-pg-'));
  const data = path.join(root, 'data');
  const sockets = root;
  if (user) chownSync(root, user.uid, user.gid);
  const logFile = path.join(root, 'server.log');
  await run(path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync'], user);
  let port = 0;
  const options = (): string => `-p ${port} -k ${sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
  // A port found free may be taken before the server binds it: then another one.
  for (let attempt = 0; ; attempt += 1) {
    port = await freePort();
    try {
      await run(path.join(bin, 'pg_ctl'), ['start', '-w', '-t', '30', '-D', data, '-l', logFile, '-o', options()], user);
      break;
    } catch (error) {
      if (attempt >= 2) throw error;
    }
  }
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    port,
    async createDatabase(name = `t${process.pid}_${(databases += 1)}`) {
      const { Client } = (await import('pg')).default;
      const client = new Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    async restart() {
      await run(path.join(bin, 'pg_ctl'), ['restart', '-w', '-t', '30', '-m', 'immediate', '-D', data, '-l', logFile, '-o', options()], user);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await run(path.join(bin, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', data], user).catch(() => undefined);
      rmSync(root, { recursive: true, force: true });
    },
    stopNow() {
      if (stopped) return;
      stopped = true;
      try {
        execFileSync(path.join(bin, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', data], { ...user, stdio: 'ignore' });
      } catch {
        /* already down */
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
