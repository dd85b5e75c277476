/**
 * The daemon (SPEC §4, §7, §9), wired: the plan event stream and its subscribers (the journal first),
 * the monitor (breakers, rate limits, dashboard), start-up recovery, the intake of Approved/, the
 * runner, and the graceful stop. Everything it does is done by the parts it wires.
 */
import { once, setMaxListeners } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import { bestEffort, EventStream, type Subscriber } from '../events/event-stream.js';
import type { ClusterLeases } from '../cluster/leases.js';
import type { GuardStore } from '../execution/guard-store.js';
import type { JournalStore } from '../journal/store.js';
import type { McpPool } from '../mcp/pool.js';
import { startMonitor, type Monitor } from '../monitor/monitor.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { planFileSink } from '../run/plan-file-sink.js';
import { ensureVaultFolders } from '../vault/folders.js';
import { startupBanner } from './banner.js';
import { ClusterLink } from './cluster.js';
import { leaseFence, reservations } from './lease-gates.js';
import { Placement } from './placement.js';
import type { CrashHook } from './crash-points.js';
import { Intake } from './intake.js';
import { journalSink } from './journal-sink.js';
import { inProgressPath } from './lifecycle.js';
import { readJournalAtStart, recoverAtStart } from './recover.js';
import { PlanRunner, type Schedule } from './runner.js';
import { Settler } from './settle.js';
import { runSummary, type PlanStanding } from './summary.js';
import { watchFolder, type FolderWatcher } from './watch.js';

interface DaemonOptions {
  readonly config: Config;
  readonly pool: McpPool;
  /** The daemon's notices (ALERT and the like). */
  readonly audit: AuditLog;
  /** Subscribers after the journal and the plan file: logs, vault audit, metrics. */
  readonly sinks: readonly Subscriber[];
  /** The journal, already locked by the caller before anything else binds or starts. */
  readonly store: JournalStore;
  /** With `cluster` configured: the store's leases (the same PostgreSQL store as `store`). */
  readonly cluster?: ClusterLeases;
  readonly guardStore?: GuardStore; // with `cluster`: breakers and rate limits shared by the nodes
  readonly schemaChecker?: SchemaChecker;
  readonly clock: Clock;
  /** Aborted by SIGTERM/SIGINT: stop claiming, let calls finish within `graceMs`, exit. */
  readonly signal: AbortSignal;
  readonly print: (line: string) => void;
  readonly once?: boolean;
  /** Test-only fault injection (crash-points.ts). */
  readonly crash?: CrashHook;
  /** More subscribers, added last (the orchestrator's own MCP server). */
  readonly onStream?: (stream: EventStream) => void;
  /** Handed the daemon's controls once its runner exists (the orchestrator's own MCP server). */
  readonly onControl?: (control: DaemonControl) => void;
  /** This daemon holds the plan of this claim no more, even when no event said so (a lease lost). */
  readonly onLetGo?: (claim: string) => void;
}

/** What the orchestrator's own MCP server may ask of a running daemon about the plans it holds. */
export interface DaemonControl {
  /** Stops a claimed plan before its next step; it ends in Failed/ with `status: cancelled`. False when not held. */
  cancel(claim: string, reason: string): boolean;
  /** Appends lines to a held plan's Execution Log through the daemon's own writer; false when not held. */
  appendLog(claim: string, lines: readonly string[]): Promise<boolean>;
}

type DaemonExit =
  | { readonly kind: 'stopped'; readonly plans: Readonly<Record<PlanStanding, number>> }
  | { readonly kind: 'fatal'; readonly error: unknown };

export async function runDaemon(options: DaemonOptions): Promise<DaemonExit> {
  const { config, audit, clock, store } = options;
  const vault = config.vault;
  const crash = options.crash ?? (() => undefined);
  await ensureVaultFolders(vault);
  const stopping = new AbortController();
  const hardStop = new AbortController();
  setMaxListeners(0, stopping.signal, hardStop.signal);
  let fatal: { error: unknown } | undefined;
  const fail = (error: unknown): void => {
    if (fatal) return;
    fatal = { error };
    audit.record({ event: 'ALERT', status: 'fatal', message: `daemon stopping: ${messageOf(error)}` });
    stopping.abort();
  };
  const onSignal = (): void => stopping.abort();
  options.signal.addEventListener('abort', onSignal, { once: true });
  const timers = new Set<NodeJS.Timeout>();
  const schedule: Schedule = (ms, task) => {
    if (stopping.signal.aborted) return () => undefined;
    const timer = setTimeout(() => {
      timers.delete(timer);
      task();
    }, Math.min(ms, 2 ** 31 - 1));
    timers.add(timer);
    return () => {
      clearTimeout(timer);
      timers.delete(timer);
    };
  };

  let watcher: FolderWatcher | undefined, inProgressWatcher: FolderWatcher | undefined;
  let monitor: Monitor | undefined;
  let link: ClusterLink | undefined;
  const summary = runSummary();
  try {
    monitor = await startMonitor({ config, pool: options.pool, audit, clock, ...(options.guardStore ? { guardStore: options.guardStore } : {}) });
    const tracker = monitor.tracker;
    const book = await readJournalAtStart({ store, audit });
    const stream = new EventStream(config.envValues);
    const reportSinkError = (error: unknown): void => audit.record({ event: 'ALERT', message: `event sink: ${messageOf(error)}` });
    let runner: PlanRunner | undefined;
    // Several hosts: nothing hears an event of a plan whose lease this node no longer holds.
    if (options.cluster) stream.subscribe(leaseFence(options.cluster));
    stream.subscribe(journalSink({ config, store, book, audit, clock, crash, active: () => runner?.activeApprovals() }));
    const planFiles = planFileSink((plan) => inProgressPath(vault, plan.claim));
    stream.subscribe(planFiles.subscriber);
    for (const sink of options.sinks) stream.subscribe(bestEffort(sink, reportSinkError));
    stream.subscribe(bestEffort(tracker.subscriber, reportSinkError));
    // Only `--once` reads the summary: kept for months, it would hold every plan the daemon ever ran.
    if (options.once) stream.subscribe(summary.subscriber);
    options.onStream?.(stream);

    const leases = options.cluster;
    const settler = new Settler({
      vault,
      stream,
      clock,
      afterMove: () => crash('after_finalize'),
      ...(leases ? { exclusive: <T>(key: string, work: () => Promise<T>) => leases.exclusive(key, work) } : {}),
    });
    let intake: Intake | undefined;
    runner = new PlanRunner({
      config,
      catalog: monitor.guard,
      guard: monitor.guard,
      settler,
      book,
      audit,
      clock,
      ...(options.schemaChecker ? { schemaChecker: options.schemaChecker } : {}),
      stopSignal: stopping.signal,
      hardSignal: hardStop.signal,
      schedule,
      onFatal: fail,
      // A re-approval of this plan may be waiting in Approved/: looked for once the lease is let go.
      onSettled: (approval, claim) => {
        // A plan let go with its lease ends without an event.
        if (claim !== undefined) {
          tracker.letGo(claim);
          options.onLetGo?.(claim);
        }
        void Promise.resolve(link?.settled(approval)).finally(() => intake?.scan());
      },
      ...(leases
        ? {
            placement: new Placement({
              config,
              node: leases.node,
              settler,
              beforeHandOff: () => crash('before_hand_off'),
              handOff: (approval, server, step) => link?.handOff(approval, server, step),
            }),
          }
        : {}),
    });
    const plans = runner;
    options.onControl?.({ cancel: (claim, reason) => plans.cancel(claim, reason), appendLog: planFiles.appendLog });
    const recovery = { config, store, stream, audit, clock, settler, schedule };
    // Several hosts: In_Progress/ is every node's; what is this node's to take up comes from the leases.
    if (options.cluster) link = new ClusterLink({ leases: options.cluster, recovery, book, runner: plans, audit, takeOverAtOnce: config.execution.maxConcurrentPlans * 4 });
    else await recoverAtStart(recovery, book, plans);
    const cluster = link;
    intake = new Intake({
      config,
      stream,
      audit,
      clock,
      stopSignal: stopping.signal,
      schedule,
      book,
      runner: plans,
      settler,
      onSettling: (count) => tracker.settling(count),
      ...(cluster && leases ? { refresh: (approval: string) => cluster.refresh(approval), ...reservations(leases, crash) } : {}),
      // `--once` claims everything it finds (it stops once idle, so nothing may be left waiting for a slot).
      ...(cluster && !options.once ? { hasRoom: () => plans.hasRoom() } : {}),
      onFatal: fail,
    });
    const scanner = intake;

    for (const line of await startupBanner(config, { once: options.once === true })) options.print(line);
    if (options.cluster) options.print(`  cluster: node ${options.cluster.node}, lease ${options.cluster.leaseMs} ms`);
    await link?.start();
    const approved = path.join(vault, 'Approved');
    const alertWatch = (error: unknown): void => audit.record({ event: 'ALERT', message: `watcher: ${messageOf(error)}` });
    watcher = await watchFolder(approved, () => void scanner.scan(), alertWatch);
    // A plan moved or deleted out of In_Progress/ by someone is cancelled before its next step.
    inProgressWatcher = await watchFolder(path.join(vault, 'In_Progress'), () => void plans.checkFiles(), alertWatch);
    await scanner.scan();

    if (options.once) {
      // Everything already waiting, including files still being written, then stop.
      for (;;) {
        await scanner.idle();
        await plans.onIdle();
        const recheckIn = scanner.recheckIn;
        if (stopping.signal.aborted || recheckIn === undefined) break;
        await sleep(recheckIn, undefined, { signal: stopping.signal }).catch(() => undefined);
        await scanner.scan();
      }
      stopping.abort();
    } else {
      const interval = setInterval(() => {
        void scanner.scan();
        void plans.checkFiles();
      }, config.daemon.scanIntervalMs);
      if (!stopping.signal.aborted) await once(stopping.signal, 'abort');
      clearInterval(interval);
    }

    // Graceful stop: no new claims or steps; running calls get `graceMs` to finish.
    link?.stopTakingOver();
    for (const timer of timers) clearTimeout(timer);
    await watcher.close();
    await inProgressWatcher.close();
    watcher = inProgressWatcher = undefined;
    const grace = setTimeout(() => hardStop.abort(new Error('shutdown grace period over')), config.daemon.graceMs);
    await plans.onIdle();
    await scanner.idle();
    clearTimeout(grace);
    await link?.stop();
  } catch (error) {
    fatal ??= { error };
  } finally {
    options.signal.removeEventListener('abort', onSignal);
    await link?.stop().catch(() => undefined);
    for (const timer of timers) clearTimeout(timer);
    await watcher?.close().catch(() => undefined);
    await inProgressWatcher?.close().catch(() => undefined);
    await monitor?.stop().catch(() => undefined);
  }
  if (fatal) return { kind: 'fatal', error: fatal.error };
  return { kind: 'stopped', plans: summary.counts() };
}
