/**
 * Scanning Approved/ and claiming what is ready. Scans are coalesced (a scan asked for while one runs
 * makes one more run after it) and re-scheduled while files are still being written. Each ready file
 * is first read where it is (its approval stamp, its status): a file of an approval that is still
 * running is left until that run settled; one that cannot be read stays where it is, with an ALERT,
 * and is tried again at the next scan. With several hosts the database then decides: the file's bytes
 * and the approval's lease are taken there first, and a copy of what another node took stays where it is.
 * Then it is moved into In_Progress/, stamped when it is a new
 * approval, announced as `claimed` (durable in the journal), and handed to the runner. Symbolic links
 * and names that are not UTF-8 are refused into Failed/. One file's trouble never stops the others.
 */
import path from 'node:path';
import type { AuditLog } from '../audit/types.js';
import type { Reservation } from '../cluster/leases.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { unlessMissing } from '../core/errno.js';
import { messageOf } from '../core/text.js';
import type { EventStream } from '../events/event-stream.js';
import { JournalFatalError } from '../journal/errors.js';
import { ensureVaultFolders } from '../vault/folders.js';
import { moveBadlyNamed, moveNoClobber } from '../vault/move-no-clobber.js';
import { decideReapproval } from '../journal/decide-recovery.js';
import type { ApprovalBook } from './approvals.js';
import { identifyClaim, type Job } from './job.js';
import { inProgressPath, moveIntoInProgress } from './lifecycle.js';
import { newApprovalId, readPlanHead, stampApproval } from './plan-head.js';
import type { PlanRunner, Schedule } from './runner.js';
import { FileNotices } from './notices.js';
import { ApprovedScanner, type ScanResult } from './scanner.js';
import type { Settler } from './settle.js';

export interface IntakeOptions {
  readonly config: Config;
  readonly stream: EventStream;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly stopSignal: AbortSignal;
  readonly schedule: Schedule;
  readonly book: ApprovalBook;
  readonly runner: Pick<PlanRunner, 'reserve' | 'unreserve' | 'enqueue' | 'checkFiles' | 'isActive'>;
  readonly settler: Settler;
  /** How many files in Approved/ are still being written. */
  readonly onSettling?: (count: number) => void;
  readonly onFatal: (error: unknown) => void;
  /** Several hosts: brings the book up to date with what other nodes recorded of an approval, before it is judged. */
  readonly refresh?: (approval: string) => Promise<void>;
  /**
   * Several hosts: the approval's lease for a file's bytes, taken before the file is moved, so the
   * database decides, not the rename (with a synced copy per node each node renames in its own copy).
   */
  readonly reserve?: (approval: string, delivery: string) => Promise<Reservation>;
  /** Several hosts: gives back a lease reserved for a file that then could not be moved. */
  readonly release?: (approval: string) => Promise<void>;
  /**
   * Several hosts: a file moved into In_Progress/ whose claim then failed (the record, the stamp): its
   * lease expires at once (its bytes stay taken), so the file is adopted like any orphan, not held for good.
   */
  readonly letGo?: (approval: string) => Promise<void>;
  /** Several hosts: false while every run slot is taken. Absent: everything ready is claimed. */
  readonly hasRoom?: () => boolean;
}

export class Intake {
  private readonly scanner: ApprovedScanner;
  private scanning: Promise<void> | undefined;
  private again = false;
  /** When the soonest still-settling file should be looked at again; undefined when none is settling. */
  private recheckInMs: number | undefined;
  /** Troubles already told, per file in Approved/: one ALERT each while it stays, not one per scan. */
  private readonly reported = new FileNotices();

  constructor(private readonly options: IntakeOptions) {
    this.scanner = new ApprovedScanner(path.join(options.config.vault, 'Approved'), options.config.daemon.stabilityMs, () =>
      options.clock.now().getTime(),
    );
  }

  /** When to look again at files still being written (`--once` waits for them); undefined when none is. */
  get recheckIn(): number | undefined {
    return this.recheckInMs;
  }

  /** How many notices about files in Approved/ are kept (each goes with its file). */
  get noticesKept(): number {
    return this.reported.size;
  }

  /** Resolves once the scan under way, if any, is over. */
  idle(): Promise<void> {
    return this.scanning ?? Promise.resolve();
  }

  /** Resolves when the scan under way (if any) and the one it asked for are done. */
  scan(): Promise<void> {
    if (this.options.stopSignal.aborted) return Promise.resolve();
    if (this.scanning) {
      this.again = true;
      return this.scanning;
    }
    this.scanning = this.scanLoop().finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scanLoop(): Promise<void> {
    const { audit, config } = this.options;
    try {
      do {
        this.again = false;
        const result = await this.scanner.scan();
        this.recheckInMs = result.recheckInMs;
        this.options.onSettling?.(result.settling);
        // A file gone from Approved/ takes its notices along: the same trouble coming back is told again.
        this.reported.keepOnly(result.present);
        if (this.recheckInMs !== undefined) this.options.schedule(this.recheckInMs, () => void this.scan());
        await this.admit(result);
      } while (this.again && !this.options.stopSignal.aborted);
    } catch (error) {
      if (error instanceof JournalFatalError) return this.options.onFatal(error);
      // The folder vanished or cannot be read: say so, recreate what is missing, keep running.
      audit.record({ event: 'ALERT', message: `scan of Approved/ failed, retrying on the next scan: ${messageOf(error)}` });
      await ensureVaultFolders(config.vault).catch(() => undefined);
    }
  }

  private async admit(scan: ScanResult): Promise<void> {
    const { audit, config } = this.options;
    const failed = path.join(config.vault, 'Failed');
    for (const link of scan.symlinks) {
      const dest = await moveNoClobber(link, failed).catch(() => undefined);
      audit.record({
        event: 'FAILED',
        status: 'refused',
        file: path.basename(link),
        message: `${path.basename(link)} is a symbolic link; plans must be regular files (moved to ${dest ? 'Failed/' : 'nowhere: move failed'})`,
      });
    }
    for (const raw of scan.badNames) {
      const dest = await moveBadlyNamed(path.join(config.vault, 'Approved'), raw, failed).catch(() => undefined);
      audit.record({
        event: 'FAILED',
        status: 'refused',
        message: `a plan file name is not valid UTF-8 (${raw.toString('hex')}); rename it in UTF-8 (moved to ${dest ? `Failed/${path.basename(dest)}` : 'nowhere: move failed'})`,
      });
    }
    for (const entry of scan.ready) {
      if (this.options.stopSignal.aborted) return;
      // Several hosts: a node claims only what it can start now, leaving the rest to the others (a
      // settled plan asks for the next scan).
      if (this.options.hasRoom && !this.options.hasRoom()) return;
      try {
        await this.claim(entry.path);
      } catch (error) {
        if (error instanceof JournalFatalError) throw error;
        const message = `cannot claim Approved/${entry.name}, left where it is and tried again at the next scan: ${messageOf(error)}`;
        if (this.reported.first(entry.name, message)) audit.record({ event: 'ALERT', file: entry.name, message });
        // A lifecycle folder removed under us is recreated, so the next scan can claim again.
        await ensureVaultFolders(config.vault).catch(() => undefined);
      }
    }
  }

  /** Claims one file: read where it is, the rename, the stamp, then the durable `claimed` record. */
  private async claim(approvedFile: string): Promise<void> {
    const { config, clock, stream, book, runner } = this.options;
    const head = await unlessMissing(readPlanHead(approvedFile), undefined);
    // Moved away since the scan: by a human, or claimed by another node of a cluster. Nothing to claim.
    if (head === undefined) return;
    if (head.approval !== undefined && !runner.isActive(head.approval)) await this.options.refresh?.(head.approval);
    const decision = head.approval === undefined ? ({ kind: 'new_approval' } as const) : decideReapproval(book.get(head.approval), head.status);
    const approval = decision.kind === 'new_approval' ? newApprovalId() : (head.approval as string);
    if (!runner.reserve(approval)) {
      // Moved back (or copied) while its run goes on: a re-approval, taken once that run settled (the
      // runner then asks for a scan). A run whose file is gone is cancelled before its next step.
      return runner.checkFiles();
    }
    let moved = false;
    try {
      if (this.options.reserve && !(await this.reserveHere(approvedFile, approval, head.content))) return runner.unreserve(approval);
      const claim = await moveIntoInProgress(config.vault, approvedFile);
      moved = claim !== undefined;
      if (claim === undefined) {
        await this.options.release?.(approval); // a human (or a sync client) moved it away first
        return runner.unreserve(approval);
      }
      if (decision.kind === 'new_approval' && head.stampable) await stampApproval(inProgressPath(config.vault, claim), approval);
      const claimedAt = clock.now();
      const { ref, hash } = await identifyClaim(config, claim, approval);
      const forgotten = decision.kind === 'needs_review' ? ({ forgotten: true } as const) : {};
      await stream.for(ref, clock).emit({ type: 'claimed', from: path.basename(approvedFile), hash, ...forgotten });
      const job: Job = { ref, claimedAt, approvedHash: hash };
      if (decision.kind === 'needs_review') {
        runner.unreserve(approval);
        return await this.options.settler.finalize(job, 'Needs_Review', { kind: 'needs_review', reason: decision.reason });
      }
      runner.enqueue(job);
    } catch (error) {
      runner.unreserve(approval);
      if (!moved) await this.options.release?.(approval).catch(() => undefined);
      if (!moved || !this.options.letGo || error instanceof JournalFatalError) throw error;
      await this.options.letGo(approval).catch(() => undefined);
      const message = `moved Approved/${path.basename(approvedFile)} into In_Progress/ but could not claim it (${messageOf(error)}); its lease is let go, and a node adopts it once it has sat there for a lease`;
      this.options.audit.record({ event: 'ALERT', file: path.basename(approvedFile), message });
    }
  }

  /**
   * Several hosts: is this file's approval this node's to run? A copy of one another node took (the
   * same bytes, under any name: a synced vault's copy, a sync client's conflict copy, a copy arriving
   * after the run ended) is left where it is, with a notice: that node's moves reach it through the sync.
   */
  private async reserveHere(file: string, approval: string, content: string): Promise<boolean> {
    const reserved = await (this.options.reserve as NonNullable<IntakeOptions['reserve']>)(approval, content);
    if (reserved.kind === 'reserved') return true;
    const name = path.basename(file);
    const message =
      reserved.kind === 'copy'
        ? `Approved/${name} is a copy of an approval node ${reserved.node} took (the same content); left where it is, not run again (to approve the same plan anew, change anything in it)`
        : `Approved/${name} is an approval node ${reserved.node} holds; left where it is`;
    if (this.reported.first(name, message)) this.options.audit.record({ event: 'AUDIT', file: name, message });
    return false;
  }
}
