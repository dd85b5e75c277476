/**
 * Scanning Approved/ and claiming what is ready. Scans are coalesced (a scan asked for while one runs
 * makes one more run after it) and re-scheduled while files are still being written. Each ready file is
 * moved into In_Progress/, read once (job.ts), announced as `claimed` (durable in the journal), and
 * handed to the runner; symbolic links and names that are not UTF-8 are refused into Failed/. One
 * file's trouble never stops the others or the daemon.
 */
import path from 'node:path';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import type { EventStream } from '../events/event-stream.js';
import { JournalFatalError } from '../journal/errors.js';
import { ensureVaultFolders } from '../vault/folders.js';
import { moveBadlyNamed, moveNoClobber } from '../vault/move-no-clobber.js';
import { identifyClaim, type Job } from './job.js';
import { moveIntoInProgress } from './lifecycle.js';
import type { Schedule } from './runner.js';
import { ApprovedScanner, type ScanResult } from './scanner.js';

export interface IntakeOptions {
  readonly config: Config;
  readonly stream: EventStream;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly stopSignal: AbortSignal;
  readonly schedule: Schedule;
  readonly onClaimed: (job: Job) => void;
  /** How many files in Approved/ are still being written. */
  readonly onSettling?: (count: number) => void;
  readonly onFatal: (error: unknown) => void;
}

export class Intake {
  private readonly scanner: ApprovedScanner;
  private scanning: Promise<void> | undefined;
  private again = false;
  /** When the soonest still-settling file should be looked at again; undefined when none is settling. */
  private recheckInMs: number | undefined;

  constructor(private readonly options: IntakeOptions) {
    this.scanner = new ApprovedScanner(path.join(options.config.vault, 'Approved'), options.config.daemon.stabilityMs, () =>
      options.clock.now().getTime(),
    );
  }

  /** When to look again at files still being written (`--once` waits for them); undefined when none is. */
  get recheckIn(): number | undefined {
    return this.recheckInMs;
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
      try {
        const job = await this.claim(entry.path);
        if (job) this.options.onClaimed(job);
      } catch (error) {
        if (error instanceof JournalFatalError) throw error;
        audit.record({ event: 'ALERT', file: entry.name, message: `cannot claim Approved/${entry.name}: ${messageOf(error)}` });
        // A lifecycle folder removed under us is recreated, so the next scan can claim again.
        await ensureVaultFolders(config.vault).catch(() => undefined);
      }
    }
  }

  /** Claims one file: the rename, then the durable `claimed` record. Undefined when it vanished first. */
  private async claim(approvedFile: string): Promise<Job | undefined> {
    const { config, clock, stream } = this.options;
    const claim = await moveIntoInProgress(config.vault, approvedFile);
    if (claim === undefined) return undefined;
    const claimedAt = clock.now();
    const { ref, hash } = await identifyClaim(config, claim);
    await stream.for(ref, clock).emit({ type: 'claimed', from: path.basename(approvedFile), hash });
    return { ref, claimedAt, approvedHash: hash, carried: new Map() };
  }
}
