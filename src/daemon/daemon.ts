/**
 * The daemon (SPEC §4, §7, §9): watch Approved/, claim plans, run them, finalize them; journal every
 * call; recover at start; defer and resume; stop gracefully on SIGTERM. The imperative shell around the
 * pure pieces in journal/, plan/, execution/ and readiness.ts.
 */
import { setMaxListeners } from 'node:events';
import path from 'node:path';
import PQueue from 'p-queue';
import type { AuditLog } from '../audit/logger.js';
import type { Config } from '../config/schema.js';
import type { McpPool } from '../mcp/pool.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { JournalFatalError, JournalWriter, journalPath } from '../journal/index.js';
import { ensureVaultFolders, type VaultLock } from '../vault/index.js';
import { sleep } from '../mcp/backoff.js';
import { watchFolder, type FolderWatcher } from './watch.js';
import { ApprovedScanner } from './scanner.js';
import { recoverAtStart } from './recovery.js';
import { Admission } from './admission.js';
import { PlanRunner } from './plan-runner.js';
import { startupBanner } from './banner.js';
import { startMonitor, type Monitor } from './monitor.js';
import type { CrashHook } from './crash-points.js';

export interface DaemonOptions {
  readonly config: Config;
  readonly pool: McpPool;
  readonly audit: AuditLog;
  readonly schemaChecker?: SchemaChecker;
  readonly now: () => Date;
  /** Aborted by SIGTERM/SIGINT: stop claiming, let calls finish within `graceMs`, exit. */
  readonly signal: AbortSignal;
  /** The vault's single-instance lock, taken by the caller before anything else binds or starts. */
  readonly lock: VaultLock;
  readonly print: (line: string) => void;
  readonly once?: boolean;
  readonly dryRun?: boolean;
  /** Test-only fault injection (crash-points.ts). */
  readonly crash?: CrashHook;
}

export type DaemonExit = { readonly kind: 'stopped' } | { readonly kind: 'fatal'; readonly error: unknown };

export async function runDaemon(options: DaemonOptions): Promise<DaemonExit> {
  const { config, audit } = options;
  const vault = config.vault;
  const tuning = config.daemon;
  await ensureVaultFolders(vault);
  const stopping = new AbortController();
  const hardStop = new AbortController();
  setMaxListeners(0, stopping.signal, hardStop.signal);
  let fatal: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    fatal ??= { error };
    audit.record({ event: 'ALERT', status: 'fatal', message: `daemon stopping: ${error instanceof Error ? error.message : String(error)}` });
    stopping.abort();
  };
  const onSignal = (): void => stopping.abort();
  options.signal.addEventListener('abort', onSignal, { once: true });

  let journal: JournalWriter | undefined;
  let watcher: FolderWatcher | undefined;
  let monitor: Monitor | undefined;
  const timers = new Set<NodeJS.Timeout>();
  try {
    const journalFile = journalPath(vault);
    const recovered = await recoverAtStart(vault, journalFile);
    for (const problem of recovered.problems) audit.record({ event: 'ALERT', message: `journal: ${problem}` });
    journal = await JournalWriter.open(journalFile);
    // Breakers, rate limits, alerts, Dashboard.md. A dry run calls nothing and writes nothing.
    if (!options.dryRun) monitor = await startMonitor({ config, pool: options.pool, audit, now: options.now });

    const schedule = (ms: number, task: () => void): void => {
      if (stopping.signal.aborted) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        task();
      }, Math.min(ms, 2 ** 31 - 1));
      timers.add(timer);
    };
    const queue = new PQueue({ concurrency: config.execution.maxConcurrentPlans });
    const runner = new PlanRunner({
      config,
      pool: monitor?.guard ?? options.pool,
      ...(monitor ? { guard: monitor.guard, tracker: monitor.tracker } : {}),
      audit,
      now: options.now,
      ...(options.schemaChecker ? { schemaChecker: options.schemaChecker } : {}),
      journal,
      queue,
      stopSignal: stopping.signal,
      hardSignal: hardStop.signal,
      onFatal: fail,
      schedule,
      crash: options.crash ?? (() => undefined),
    });
    await runner.recover(recovered.claims);
    const admission = new Admission({
      config,
      life: runner.life,
      audit,
      pool: options.pool,
      now: options.now,
      ...(options.schemaChecker ? { schemaChecker: options.schemaChecker } : {}),
      stopSignal: stopping.signal,
      dryRun: options.dryRun === true,
      print: options.print,
      onClaimed: (claim) => runner.start(claim),
    });

    const scanner = new ApprovedScanner(path.join(vault, 'Approved'), tuning.stabilityMs, () => options.now().getTime());
    let scanning: Promise<void> | undefined;
    let again = false;
    let recheckInMs: number | undefined;
    const scan = (): Promise<void> => {
      if (stopping.signal.aborted) return Promise.resolve();
      if (scanning) {
        again = true;
        return scanning;
      }
      scanning = (async () => {
        do {
          again = false;
          const result = await scanner.scan();
          recheckInMs = result.recheckInMs;
          monitor?.tracker.settling(result.settling);
          if (recheckInMs !== undefined && !options.once) schedule(recheckInMs, () => void scan());
          await admission.admit(result);
        } while (again && !stopping.signal.aborted);
      })()
        .catch(async (error: unknown) => {
          if (error instanceof JournalFatalError) return fail(error);
          // The folder vanished or cannot be read: say so, recreate what is missing, keep running.
          audit.record({ event: 'ALERT', message: `scan of Approved/ failed, retrying on the next scan: ${String(error)}` });
          await ensureVaultFolders(vault).catch(() => undefined);
        })
        .finally(() => {
          scanning = undefined;
        });
      return scanning;
    };

    print(options, await startupBanner(config, options.dryRun === true));
    watcher = await watchFolder(path.join(vault, 'Approved'), () => void scan(), (error) =>
      audit.record({ event: 'ALERT', message: `watcher: ${String(error)}` }),
    );
    await scan();

    if (options.once) {
      // Everything already waiting, including files still being written, then stop.
      for (;;) {
        await scanning;
        await queue.onIdle();
        if (stopping.signal.aborted || recheckInMs === undefined) break;
        await sleep(recheckInMs, stopping.signal).catch(() => undefined);
        await scan();
      }
      stopping.abort();
    } else {
      const interval = setInterval(() => void scan(), tuning.scanIntervalMs);
      await waitAbort(stopping.signal);
      clearInterval(interval);
    }

    // Graceful stop: no new claims or steps; running calls get `graceMs` to finish.
    for (const timer of timers) clearTimeout(timer);
    await watcher.close();
    watcher = undefined;
    const idle = queue.onIdle();
    const grace = setTimeout(() => hardStop.abort(new Error('shutdown grace period over')), tuning.graceMs);
    await idle;
    clearTimeout(grace);
    await scanning;
  } catch (error) {
    fatal ??= { error };
  } finally {
    options.signal.removeEventListener('abort', onSignal);
    for (const timer of timers) clearTimeout(timer);
    await watcher?.close().catch(() => undefined);
    await monitor?.stop().catch(() => undefined);
    await journal?.close().catch(() => undefined);
  }
  if (fatal) return { kind: 'fatal', error: fatal.error };
  return { kind: 'stopped' };
}

function print(options: DaemonOptions, lines: readonly string[]): void {
  for (const line of lines) options.print(line);
}

function waitAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

