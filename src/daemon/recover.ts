/**
 * Start-up recovery: read the journal into the approval book, find each plan file in In_Progress/ by the
 * approval stamped in it, and carry out for each what the pure decision says (journal/decide-recovery.ts):
 * redo a final move, wait for a retry time, or continue — succeeded steps carried, unknown outcomes handed
 * to the run. Approvals whose files are elsewhere (moved back, moved away while the daemon was down) are
 * kept in the book: when such a file lands in Approved/, the intake continues it. Each plan is handled on
 * its own: one that cannot be read is retried later, with an ALERT, and never stops the start.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import type { EventStream } from '../events/event-stream.js';
import { decideReapproval, decideResume } from '../journal/decide-recovery.js';
import { JournalFatalError, LeaseLostError } from '../journal/errors.js';
import type { ClaimState } from '../journal/recover.js';
import type { JournalStore } from '../journal/store.js';
import { defaultId } from '../plan/plan-fields.js';
import { isPlanFileName } from '../vault/folders.js';
import { ApprovalBook } from './approvals.js';
import { identifyClaim, type Job } from './job.js';
import { inProgressPath } from './lifecycle.js';
import { newApprovalId, readPlanHead, stampApproval } from './plan-head.js';
import type { PlanRunner, Schedule } from './runner.js';
import type { Settler } from './settle.js';
import { unreachable } from '../core/errors.js';

export interface RecoveryOptions {
  readonly config: Config;
  readonly store: JournalStore;
  readonly stream: EventStream;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly settler: Settler;
  readonly schedule: Schedule;
}

/** Reads the journal into the book the daemon keeps up to date from then on. */
export async function readJournalAtStart(options: Pick<RecoveryOptions, 'store' | 'audit'>): Promise<ApprovalBook> {
  const contents = await options.store.read();
  for (const problem of contents.problems) options.audit.record({ event: 'ALERT', message: `journal: ${problem}` });
  return new ApprovalBook(contents.records);
}

export async function recoverAtStart(options: RecoveryOptions, book: ApprovalBook, runner: PlanRunner): Promise<void> {
  const { config, store, clock } = options;
  const names = (await readdir(path.join(config.vault, 'In_Progress'))).filter(isPlanFileName);
  const found = new Map<string, { name: string; found: Found; state: ClaimState | undefined }>();
  const unreadable: string[] = [];
  for (const name of names) {
    const approval = await approvalOf(book, config.vault, name).catch(() => undefined);
    if (approval === undefined) unreadable.push(name);
    else if (found.has(approval.id)) {
      options.audit.record({ event: 'ALERT', file: name, message: `In_Progress/${name} is a second copy of the approval of In_Progress/${found.get(approval.id)?.name}; it is left alone` });
    } else found.set(approval.id, { name, found: approval, state: book.get(approval.id) });
  }
  const kept = book.prune(new Set(found.keys()), clock.now().getTime(), config.daemon.journalRetention);
  await store.compact(kept);
  for (const { name, found: which, state } of found.values()) await resumeOne(options, book, runner, name, which, state);
  for (const name of unreadable) retryLater(options, book, runner, name, 0);
  return;
}

export interface Found {
  readonly id: string;
  readonly stampable: boolean;
  /** The file's own `status:`, when it carries a stamp. */
  readonly status?: string;
  /** Several hosts: the id a file without a stamp takes, its bytes already reserved under it (cluster-orphans.ts). */
  readonly reserved?: string;
}

/** The approval of an In_Progress/ file (`new:` when it has none yet); throws when it cannot be read. */
export async function approvalOf(book: ApprovalBook, vault: string, name: string): Promise<Found> {
  const head = await readPlanHead(inProgressPath(vault, name));
  if (head.approval !== undefined) return { id: head.approval, stampable: false, ...(head.status !== undefined ? { status: head.status } : {}) };
  // A journal from before approvals keyed a plan by its file name: such a plan keeps that key.
  const legacy = book.get(name);
  return legacy !== undefined && legacy.name === name ? { id: name, stampable: false } : { id: `new:${name}`, stampable: head.stampable };
}

export async function resumeOne(
  options: RecoveryOptions,
  book: ApprovalBook,
  runner: PlanRunner,
  name: string,
  found: Found,
  state: ClaimState | undefined,
): Promise<void> {
  const { id: approval, stampable } = found;
  const { config, clock, settler, audit, stream } = options;
  try {
    if (state === undefined) {
      // Renamed into In_Progress/ but the crash came before its `claimed` record (nothing was sent yet),
      // or the journal was lost: then the file's status tells whether something may have gone out.
      const fresh = approval.startsWith('new:');
      const decision = fresh ? ({ kind: 'new_approval' } as const) : decideReapproval(undefined, found.status);
      const id = decision.kind === 'new_approval' ? (found.reserved ?? newApprovalId()) : approval;
      if (decision.kind === 'new_approval' && (stampable || !fresh)) await stampApproval(inProgressPath(config.vault, name), id);
      const { ref, hash } = await identifyClaim(config, name, id);
      const forgotten = decision.kind === 'needs_review' ? ({ forgotten: true } as const) : {};
      await stream.for(ref, clock).emit({ type: 'claimed', from: name, hash, ...forgotten });
      const job: Job = { ref, claimedAt: clock.now(), approvedHash: hash };
      if (decision.kind === 'needs_review') return await settler.finalize(job, 'Needs_Review', { kind: 'needs_review', reason: decision.reason });
      return runner.enqueue(job);
    }
    const job: Job = {
      ref: { claim: name, approval, id: state.plan ?? defaultId(name), ...(state.approvedBy !== undefined ? { approvedBy: state.approvedBy } : {}) },
      claimedAt: state.claimedAt ? new Date(state.claimedAt) : clock.now(),
      ...(state.hash !== undefined ? { approvedHash: state.hash } : {}),
    };
    const decision = decideResume(state);
    switch (decision.kind) {
      case 'finalize':
        return runner.finishMove(job, decision.folder);
      case 'deferred': {
        const retryAt = new Date(decision.retryAt);
        await settler.emitterFor(job).emit({ type: 'deferred', retryAt, reason: decision.reason, resumed: true });
        return runner.wait(job, retryAt);
      }
      case 'resume': {
        const resent = decision.continuation.unresolved.filter((step) => step.idempotent).map((step) => step.step);
        if (resent.length > 0) {
          audit.record({ event: 'AUDIT', plan: job.ref.id, file: name, message: `re-sending idempotent step(s) ${resent.join(', ')}, whose outcome the restart left unknown` });
        }
        return runner.enqueue(job);
      }
      default:
        unreachable(decision, 'resume decision');
    }
  } catch (error) {
    if (error instanceof JournalFatalError) throw error;
    // Several hosts: another node claimed it first; it is that node's.
    if (error instanceof LeaseLostError) return;
    audit.record({ event: 'ALERT', file: name, message: `could not take up In_Progress/${name} at start (${messageOf(error)}); trying again shortly` });
    retryLater(options, book, runner, name, 1);
  }
}

/** A plan that could not be read at start (permissions): looked at again, with backoff, without a restart. */
function retryLater(options: RecoveryOptions, book: ApprovalBook, runner: PlanRunner, name: string, attempt: number): void {
  const delay = Math.min(300_000, 5_000 * 2 ** attempt);
  options.schedule(delay, () => {
    void (async () => {
      const approval = await approvalOf(book, options.config.vault, name).catch(() => undefined);
      if (approval === undefined) {
        if (attempt === 0) options.audit.record({ event: 'ALERT', file: name, message: `In_Progress/${name} cannot be read; it waits, and is tried again` });
        return retryLater(options, book, runner, name, attempt + 1);
      }
      if (!runner.reserve(approval.id)) return;
      await resumeOne(options, book, runner, name, approval, book.get(approval.id)).finally(() => runner.unreserve(approval.id));
    })().catch(() => retryLater(options, book, runner, name, attempt + 1));
  });
}
