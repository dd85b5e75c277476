/** `daemon [--once] [--dry-run]`: watch Approved/ and execute plans until SIGTERM (or, with --once, until idle). */
import { crashHookFrom } from '../../daemon/crash-points.js';
import { runDaemon } from '../../daemon/daemon.js';
import { serveMetricsWhile } from '../../metrics/serve.js';
import { acquireVaultLock, AlreadyRunningError, ensureVaultFolders, type VaultLock } from '../../vault/index.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

export interface DaemonCommandOptions {
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  readonly metricsPort?: number;
}

export async function daemonCommand(runtime: Runtime, io: Io, options: DaemonCommandOptions): Promise<ExitCode> {
  let lock: VaultLock;
  try {
    // First of all: a second daemon on this vault must be refused before it binds a port or starts a server.
    await ensureVaultFolders(runtime.config.vault);
    lock = await acquireVaultLock(runtime.config.vault);
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      io.err(`error: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
  try {
    return await serveMetricsWhile(runtime, options.metricsPort, (line) => io.out(line), (served) => run(served, io, options, lock));
  } finally {
    await lock.release().catch(() => undefined);
  }
}

async function run(runtime: Runtime, io: Io, options: DaemonCommandOptions, lock: VaultLock): Promise<ExitCode> {
  const exit = await runDaemon({
    lock,
    config: runtime.config,
    pool: runtime.pool,
    audit: runtime.audit,
    schemaChecker: runtime.schemaChecker,
    now: () => new Date(),
    signal: options.signal,
    print: (line) => io.out(line),
    once: options.once,
    dryRun: options.dryRun || runtime.config.execution.dryRun,
    crash: crashHookFrom(process.env.MCP_ORCHESTRATOR_CRASH_AT),
  });
  if (exit.kind === 'fatal') {
    io.err(`error: the daemon stopped: ${describeError(exit.error)}`);
    return EXIT.failed;
  }
  io.out('daemon stopped');
  return EXIT.ok;
}
