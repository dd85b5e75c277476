/**
 * Several hosts: a plan file in the shared In_Progress/ that no node holds a lease for — its node
 * crashed (or lost the database) between the rename out of Approved/ and the `claimed` record, or a
 * human moved a file back into In_Progress/. Single-host recovery finds such files at the next start;
 * here any node adopts one once it has sat unchanged for longer than a lease (so a claim under way on
 * another node, which takes milliseconds, is never taken from it). A row `orphan:<file name>` in the
 * claims table makes the adoption itself exclusive across nodes, before the file is stamped or claimed.
 * A file whose approval already ended is left alone: with a synced copy per node it is this node's stale
 * copy, which the sync client moves where the node that ran it moved its own.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterLeases } from '../cluster/leases.js';
import { sha256 } from '../run/identify.js';
import { isPlanFileName } from '../vault/folders.js';
import type { ApprovalBook } from './approvals.js';
import { inProgressPath } from './lifecycle.js';
import type { FileNotices } from './notices.js';
import { newApprovalId } from './plan-head.js';
import { approvalOf, resumeOne, type Found, type RecoveryOptions } from './recover.js';
import type { PlanRunner } from './runner.js';

interface OrphanOptions {
  readonly leases: ClusterLeases;
  readonly recovery: RecoveryOptions;
  readonly book: ApprovalBook;
  readonly runner: PlanRunner;
  /** Files in In_Progress/ already said to be left alone (one notice each while they stay). */
  readonly noticed: FileNotices;
}

/** Adopts the In_Progress/ files without a lease that are older than a lease; returns how many. */
export async function adoptOrphans(options: OrphanOptions): Promise<number> {
  const { leases, recovery, book, runner } = options;
  const vault = recovery.config.vault;
  const now = recovery.clock.now().getTime();
  const names = (await readdir(path.join(vault, 'In_Progress'))).filter(isPlanFileName);
  // A copy gone from In_Progress/ (its sync client moved it) takes its notice along.
  options.noticed.keepOnly(new Set(names));
  const candidates: { name: string; id: string; found: Found }[] = [];
  for (const name of names) {
    const changed = await stat(inProgressPath(vault, name)).then((s) => s.ctimeMs, () => undefined);
    if (changed === undefined || now - changed < leases.leaseMs) continue;
    const found = await approvalOf(book, vault, name).catch(() => undefined);
    if (found === undefined || runner.isActive(found.id)) continue;
    candidates.push({ name, id: found.id, found });
  }
  if (candidates.length === 0) return 0;
  const leased = await leases.leased(candidates.map((c) => c.id));
  let adopted = 0;
  for (const candidate of candidates) {
    if (leased.has(candidate.id)) continue;
    const mutex = `orphan:${candidate.name}`;
    if (!(await leases.adopt(mutex))) continue;
    try {
      const fresh = candidate.id.startsWith('new:');
      // A stamped file: its approval's lease first (another node may have been quicker), then its records.
      if (!fresh) {
        if (!(await leases.adopt(candidate.id))) continue;
        book.replace(candidate.id, await leases.recordsOf(candidate.id));
        const ended = book.get(candidate.id)?.finalized;
        if (ended !== undefined) {
          // Its run ended (its node moved it): a copy a sync client has not moved yet, or one put back by hand. Not this node's to move.
          await leases.settle(candidate.id, true);
          const message = `In_Progress/${candidate.name} is a copy of an approval that ended in ${ended.folder}/; left where it is`;
          if (options.noticed.first(candidate.name, message)) recovery.audit.record({ event: 'AUDIT', file: candidate.name, message });
          continue;
        }
      }
      // A file without a stamp is claimed by its bytes, as from Approved/: with synced copies the other
      // node's unstamped copy of the same file must not become a second run.
      const found = fresh ? await reserveBytes(options, candidate.name, candidate.found) : candidate.found;
      if (found === undefined) continue;
      recovery.audit.record({ event: 'AUDIT', file: candidate.name, message: `In_Progress/${candidate.name} had no node's lease; taken up by node ${leases.node}` });
      await resumeOne(recovery, book, runner, candidate.name, found, fresh ? undefined : book.get(candidate.id));
      adopted += 1;
    } finally {
      await leases.settle(mutex, true);
    }
  }
  return adopted;
}

/** The bytes of an unstamped orphan reserved under a new approval id; undefined (one notice) when another node took them. */
async function reserveBytes(options: OrphanOptions, name: string, found: Found): Promise<Found | undefined> {
  const { leases, recovery } = options;
  const bytes = await readFile(inProgressPath(recovery.config.vault, name)).catch(() => undefined);
  if (bytes === undefined) return undefined;
  const id = newApprovalId();
  const reserved = await leases.reserve(id, sha256(bytes));
  if (reserved.kind === 'reserved') return { ...found, reserved: id };
  const whose = reserved.kind === 'copy' ? `a copy of an approval node ${reserved.node} took` : `an approval node ${reserved.node} holds`;
  const message = `In_Progress/${name} is ${whose} (the same content); left where it is`;
  if (options.noticed.first(name, message)) recovery.audit.record({ event: 'AUDIT', file: name, message });
  return undefined;
}
