/** `daemon [--once] [--dry-run]`: watch Approved/ and execute plans until SIGTERM (or, with --once, until idle). */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { crashHookFrom } from '../../daemon/crash-points.js';
import { runDaemon } from '../../daemon/daemon.js';
import { runDryRun } from '../../daemon/dry-run.js';
import { allDone, describeSummary } from '../../daemon/summary.js';
import { FileJournalStore } from '../../journal/file-store.js';
import { journalPath } from '../../journal/paths.js';
import { serveMetricsWhile } from '../../metrics/serve.js';
import { hostMcpServer, tokenProblem } from '../../serve/host.js';
import { ensureVaultFolders } from '../../vault/folders.js';
import { isPlanFileName } from '../../vault/plan-file-name.js';
import { acquireVaultLock, AlreadyRunningError } from '../../vault/vault-lock.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

export interface DaemonCommandOptions {
  readonly once: boolean;
  readonly dryRun: boolean;
  readonly signal: AbortSignal;
  readonly metricsPort?: number;
  /** Serve the orchestrator's MCP server over HTTP on this port (0: a free one). */
  readonly mcpPort?: number;
}

export async function daemonCommand(runtime: Runtime, io: Io, options: DaemonCommandOptions): Promise<ExitCode> {
  const { config } = runtime;
  if (options.dryRun || config.execution.dryRun) {
    // Claims nothing and writes nothing: no lock, no journal, so it runs beside a real daemon.
    await runDryRun({
      config,
      catalog: runtime.pool,
      clock: runtime.clock,
      schemaChecker: runtime.schemaChecker,
      signal: options.signal,
      print: (line) => io.out(line),
      once: options.once,
    });
    return EXIT.ok;
  }
  const mcpProblem = options.mcpPort === undefined ? undefined : tokenProblem(config);
  if (mcpProblem) {
    io.err(`error: ${mcpProblem}`);
    return EXIT.usage;
  }
  const vault = config.vault;
  const inProgress = path.join(vault, 'In_Progress');
  const store = new FileJournalStore({
    path: journalPath(vault),
    acquireLock: () => acquireVaultLock(vault),
    maxBytes: config.daemon.journalMaxBytes,
    // Live claims are exactly the plan files in In_Progress/ (claimed by rename before any record).
    live: async () => (await readdir(inProgress)).filter(isPlanFileName),
  });
  try {
    // First of all: a second daemon on this vault must be refused before it binds a port or starts a server.
    await ensureVaultFolders(vault);
    await store.lock();
  } catch (error) {
    if (error instanceof AlreadyRunningError) {
      io.err(`error: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
  try {
    return await serveMetricsWhile(runtime, options.metricsPort, (line) => io.out(line), async (served) => {
      const mcp = options.mcpPort === undefined ? undefined : await hostMcpServer(served, options.mcpPort, (line) => io.out(line));
      const exit = await runDaemon({
        config,
        pool: served.pool,
        audit: served.audit,
        sinks: served.sinks,
        store,
        schemaChecker: served.schemaChecker,
        clock: served.clock,
        signal: options.signal,
        print: (line) => io.out(line),
        once: options.once,
        crash: crashHookFrom(process.env.MCP_ORCHESTRATOR_CRASH_AT),
        ...(mcp ? { onStream: mcp.onStream, onControl: mcp.onControl } : {}),
      }).finally(() => mcp?.close());
      if (exit.kind === 'fatal') {
        io.err(`error: the daemon stopped: ${describeError(exit.error)}`);
        return EXIT.failed;
      }
      if (!options.once) {
        io.out('daemon stopped');
        return EXIT.ok;
      }
      io.out(`daemon --once: ${describeSummary(exit.plans)}`);
      return allDone(exit.plans) ? EXIT.ok : EXIT.failed;
    });
  } finally {
    await store.close();
  }
}
