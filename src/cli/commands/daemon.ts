/** `daemon [--once] [--dry-run]`: watch Approved/ and execute plans until SIGTERM (or, with --once, until idle). */
import { realpath } from 'node:fs/promises';
import { crashHookFrom } from '../../daemon/crash-points.js';
import { runDaemon } from '../../daemon/daemon.js';
import { runDryRun } from '../../daemon/dry-run.js';
import { allDone, describeSummary } from '../../daemon/summary.js';
import { statePaths, vaultKey } from '../../config/state-dir.js';
import { ClusterDatabaseError } from '../../journal/errors.js';
import { FileJournalStore } from '../../journal/file-store.js';
import type { Config } from '../../config/schema.js';
import type { JournalTrouble } from '../../journal/journal-writer.js';
import { serveMetricsWhile } from '../../metrics/serve.js';
import { ensureVaultFolders } from '../../vault/folders.js';
import { AlreadyRunningError, acquireInstanceLock } from '../../vault/instance-lock.js';
import { preparePrivateState } from '../../vault/private-state.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';
import { unreachable } from '../../core/errors.js';

interface DaemonCommandOptions {
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
  // The MCP HTTP server's code (the SDK's server side, express-like routing) is loaded only with --mcp-port.
  const host = options.mcpPort === undefined ? undefined : await import('../../serve/host.js');
  const mcpProblem = host?.tokenProblem(config);
  if (mcpProblem) {
    io.err(`error: ${mcpProblem}`);
    return EXIT.usage;
  }
  const vault = config.vault;
  const cluster = config.cluster;
  const servers = enabledServers(config);
  // Several hosts: one daemon per node name on this vault, so the lock is keyed by both.
  const lockKey = async (): Promise<string> => vaultKey(await realpath(vault)) + (cluster ? `-${cluster.node}` : '');
  const acquireLock = async () => acquireInstanceLock(await lockKey(), config.state, () => runtime.clock.now());
  const onConnectionError = (error: Error): void =>
    runtime.audit.record({ event: 'ALERT', message: `cluster database connection lost (${error.message}); reconnecting` });
  // The PostgreSQL client is loaded only when `cluster` is configured: a single host never loads it.
  const store = cluster
    ? new (await import('../../cluster/pg-store.js')).PgJournalStore({
        url: cluster.postgres,
        node: cluster.node,
        leaseMs: cluster.leaseMs,
        servers,
        retentionMs: config.daemon.journalRetention,
        acquireLock,
        now: () => runtime.clock.monotonicMs(),
        onConnectionError,
      })
    : new FileJournalStore({
        path: statePaths(config.state).journal,
        acquireLock,
        onTrouble: (trouble, file) => runtime.audit.record({ event: 'ALERT', status: trouble.kind === 'restored' ? 'resolved' : 'open', message: describeTrouble(trouble, file) }),
      });
  // Breakers and rate-limit counts are the cluster's too; one host keeps them in memory and its ledger file.
  const guardStore = cluster
    ? new (await import('../../cluster/pg-guard-store.js')).PgGuardStore({
        url: cluster.postgres,
        node: cluster.node,
        staleProbeMs: longestCallMs(config) + cluster.leaseMs,
        now: () => runtime.clock.now(),
        onConnectionError,
      })
    : undefined;
  try {
    // First of all: a second daemon on this vault must be refused before it binds a port or starts a server.
    await ensureVaultFolders(vault);
    await preparePrivateState(vault, config.state);
    await store.lock();
    await guardStore?.open(servers).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
  } catch (error) {
    if (error instanceof AlreadyRunningError || error instanceof ClusterDatabaseError) {
      io.err(`error: ${error.message}`);
      return EXIT.failed;
    }
    throw error;
  }
  try {
    return await serveMetricsWhile(runtime, options.metricsPort, (line) => io.out(line), async (served) => {
      const mcp = host && options.mcpPort !== undefined ? await host.hostMcpServer(served, options.mcpPort, (line) => io.out(line)) : undefined;
      const exit = await runDaemon({
        config,
        pool: served.pool,
        audit: served.audit,
        sinks: served.sinks,
        store,
        ...(store instanceof FileJournalStore ? {} : { cluster: store }),
        ...(guardStore ? { guardStore } : {}),
        schemaChecker: served.schemaChecker,
        clock: served.clock,
        signal: options.signal,
        print: (line) => io.out(line),
        once: options.once,
        crash: crashHookFrom(process.env.MCP_ORCHESTRATOR_CRASH_AT),
        ...(mcp ? { onStream: mcp.onStream, onControl: mcp.onControl, onLetGo: mcp.onLetGo } : {}),
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
    await guardStore?.close();
    await store.close();
  }
}

function enabledServers(config: Config): string[] {
  return Object.entries(config.mcpServers).filter(([, server]) => server.enabled).map(([name]) => name);
}

/** The longest deadline any call may have: a probe unanswered for longer than that and a lease was lost with its node. */
function longestCallMs(config: Config): number {
  const timeouts = [config.execution.timeoutMs, ...Object.values(config.mcpServers).map((s) => s.timeoutMs ?? 0), ...Object.values(config.actions).map((a) => a.timeoutMs ?? 0)];
  return Math.max(...timeouts);
}

/** What an ALERT says about a disturbed journal. */
function describeTrouble(trouble: JournalTrouble, file: string): string {
  switch (trouble.kind) {
    case 'deleted':
    case 'replaced':
      return `the journal ${file} was ${trouble.kind} while the daemon ran; writing it back from the daemon's copy (claims and calls wait meanwhile)`;
    case 'write_failed':
      return `the journal ${file} cannot be written (${trouble.code ?? trouble.message}); claims and calls wait until it can (free disk space?)`;
    case 'restored':
      return `the journal ${file} is whole and durable again (after it was ${trouble.after === 'write_failed' ? 'unwritable' : trouble.after}); work goes on`;
    default:
      unreachable(trouble, 'journal trouble');
  }
}
