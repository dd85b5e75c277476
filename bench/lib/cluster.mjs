/**
 * The cluster bench's surroundings: the tests' real PostgreSQL (tests/helpers/postgres.ts, built into
 * dist/ by `npm run build`), what it and the whole machine spend in CPU (from /proc), and a guard that
 * stops PostgreSQL and the daemons however the bench ends (an error, Ctrl-C: pg_ctl detaches the server
 * from the terminal, so nothing else would stop it).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { descendantsOf } from './daemon.mjs';
import { DIST } from './paths.mjs';

const helper = () => import(pathToFileURL(path.join(DIST, 'tests/helpers/postgres.js')).href);

export async function startPostgres() {
  return (await helper()).startPostgres();
}

/** initdb and pg_ctl found (PATH, or /usr/lib/postgresql/<version>/bin). */
export async function postgresInstalled() {
  return (await helper()).postgresBinDir() !== undefined;
}

/**
 * Runs `work(guard)`; `guard.track(daemon)` adds a daemon to be SIGKILLed if the process exits or is
 * interrupted before `work` is done; PostgreSQL is stopped then too. The handlers go when `work` ends.
 */
export async function guarded(postgres, work) {
  const daemons = new Set();
  const emergency = () => {
    for (const daemon of daemons) daemon.child.kill('SIGKILL');
    postgres.stopNow();
  };
  const interrupted = () => {
    emergency();
    process.exit(130);
  };
  process.once('exit', emergency);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.once(signal, interrupted);
  try {
    return await work({
      track(daemon) {
        daemons.add(daemon);
        daemon.exited.then(() => daemons.delete(daemon));
        return daemon;
      },
    });
  } finally {
    process.removeListener('exit', emergency);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.removeListener(signal, interrupted);
    for (const daemon of daemons) await daemon.kill();
    await postgres.stop();
    if (await accepts(postgres.port)) throw new Error(`PostgreSQL still accepts connections on port ${postgres.port} after its stop`);
  }
}

const accepts = (port) =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

const statFields = (stat) => stat.slice(stat.lastIndexOf(')') + 2).split(' ');

/** The postmaster listening on `port`: its command line carries `-p <port>`. */
function postmasterOf(port) {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv;
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (path.basename(argv[0] ?? '') === 'postgres' && argv.includes('-p') && argv[argv.indexOf('-p') + 1] === String(port)) return Number(name);
  }
  throw new Error(`no postgres process with -p ${port}`);
}

/**
 * CPU time PostgreSQL has used so far, in ms: the postmaster, its live processes (backends, writer, WAL),
 * and the backends already gone (the postmaster's cutime/cstime, once it has reaped them).
 */
export async function postgresCpuMs(port) {
  const postmaster = postmasterOf(port);
  const own = statFields(await readFile(`/proc/${postmaster}/stat`, 'utf8'));
  let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
  for (const pid of await descendantsOf(postmaster)) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
    if (stat !== undefined) ticks += Number(statFields(stat)[11]) + Number(statFields(stat)[12]);
  }
  return ticks * 10; // USER_HZ 100
}

/** The machine's CPU counters (/proc/stat): busy and total jiffies over all cores. */
export async function machineCpu() {
  const [, ...fields] = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/);
  const values = fields.map(Number);
  const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - values[3] - values[4], total };
}

/** Share of all cores busy between two machineCpu() readings, in %. */
export const busyPercent = (a, b) => ((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100;

/** Committed + rolled-back transactions of database `name` so far (pg_stat_database). */
export async function transactions(url, name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = $1', [name]);
    return Number(rows[0]?.n ?? Number.NaN);
  } finally {
    await client.end();
  }
}
