/**
 * The journal's state, kept in memory as the daemon writes it: one ClaimState per approval, folded
 * record by record (journal/recover.ts). Re-approvals, resumptions and compaction all read it, so the
 * daemon never has two ideas of what was sent.
 */
import { applyRecord, recoverState, type ClaimState, type ClaimStates } from '../journal/recover.js';
import type { JournalRecord } from '../journal/records.js';

export class ApprovalBook {
  private readonly states: ClaimStates;

  constructor(records: readonly JournalRecord[]) {
    this.states = recoverState(records);
  }

  get(approval: string): ClaimState | undefined {
    return this.states.get(approval);
  }

  /** Another node's records of an approval (read from the cluster's database) replace what this book knew of it. */
  replace(approval: string, records: readonly JournalRecord[]): void {
    this.states.delete(approval);
    for (const record of records) if (record.claim === approval) applyRecord(this.states, record);
  }

  /** A record is durable: the book follows. */
  apply(record: JournalRecord): void {
    applyRecord(this.states, record);
  }

  /**
   * Forgets what need not be kept and returns what compaction must keep: every approval `active` names (claimed and not
   * settled), and, for `retentionMs` after their last record, those that ended in Failed/ or
   * Needs_Review/ or were left unfinished (their file moved out of In_Progress/): moving such a file back
   * continues it. An approval that ended in Done/ is forgotten (a completed plan moved back runs anew).
   */
  prune(active: ReadonlySet<string>, nowMs: number, retentionMs: number): Set<string> {
    const kept = new Set(active);
    for (const state of this.states.values()) {
      const recent = nowMs - Date.parse(state.lastAt) < retentionMs;
      if (recent && state.finalized?.folder !== 'Done') kept.add(state.claim);
    }
    for (const approval of [...this.states.keys()]) if (!kept.has(approval)) this.states.delete(approval);
    return kept;
  }
}
