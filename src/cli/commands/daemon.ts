/** `daemon [--once] [--dry-run]`: watch Approved/ and execute plans until SIGTERM (or, with --once, until idle). */
import { crashHookFrom } from '../../daemon/crash-points.js';
import { runDaemon } from '../../daemon/daemon.js';
import { AlreadyRunningError } from '../../vault/index.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

export interface DaemonCommandOptions {
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
}

export async function daemonCommand(runtime: Runtime, io: Io, options: DaemonCommandOptions): Promise<ExitCode> {
  try {
    const exit = await runDaemon({
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
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      io.err(`error: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
}
