/**
 * The folder moves of a plan's lifecycle (SPEC §4), each journaled: claim (Approved/ → In_Progress/, the
 * rename first, then the record) and finalize (the record first, then the rename), so a restart always
 * knows where a plan is and what was sent for it.
 */
import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLog } from '../audit/logger.js';
import type { FinalFolder, JournalWriter } from '../journal/index.js';
import { planIdOf } from '../run/final-status.js';
import { errorCode } from '../vault/fsync-dir.js';
import { moveNoClobber, sha256 } from '../vault/index.js';
import type { CrashHook } from './crash-points.js';

export interface Lifecycle {
  readonly vault: string;
  readonly journal: JournalWriter;
  readonly audit: AuditLog;
  readonly now: () => Date;
  readonly crash: CrashHook;
}

export interface Claim {
  /** The file name in In_Progress/ (unique while it is there). */
  readonly name: string;
  readonly path: string;
  readonly plan: string;
  readonly claimedAt: Date;
}

export function inProgressPath(vault: string, claim: string): string {
  return path.join(vault, 'In_Progress', claim);
}

/** Claims a plan file from Approved/; undefined when it vanished first (a human moved it away). */
export async function claimPlan(life: Lifecycle, approvedFile: string): Promise<Claim | undefined> {
  let dest: string;
  try {
    dest = await moveNoClobber(approvedFile, path.join(life.vault, 'In_Progress'));
  } catch (error) {
    // Gone because a human moved it away: nothing to claim. Gone because In_Progress/ is missing: an error.
    if (errorCode(error) === 'ENOENT' && !(await lstat(approvedFile).then(() => true, () => false))) return undefined;
    throw error;
  }
  const claim = { name: path.basename(dest), plan: planIdOf(path.basename(approvedFile)), claimedAt: life.now() };
  await recordClaim(life, claim.name, claim, path.basename(approvedFile));
  life.crash('after_claim');
  life.audit.record({ event: 'CLAIM', plan: claim.plan, message: `claimed ${path.basename(approvedFile)} into In_Progress/${claim.name}` });
  return { ...claim, path: dest };
}

/** The `claimed` record, pinning the content hash of the plan as it was claimed. */
export async function recordClaim(
  life: Lifecycle,
  claim: string,
  info: { readonly plan: string; readonly claimedAt: Date },
  originalName = claim,
): Promise<void> {
  await life.journal.append({
    type: 'claimed',
    claim,
    plan: info.plan,
    file: originalName,
    hash: await contentHash(inProgressPath(life.vault, claim)),
    at: info.claimedAt.toISOString(),
  });
}

/** Files larger than this are pinned by size alone: they are refused unread as too large anyway. */
const MAX_HASHED_BYTES = 64 * 1024 * 1024;

async function contentHash(file: string): Promise<string> {
  const { size } = await stat(file);
  return size > MAX_HASHED_BYTES ? `size:${size}` : sha256(await readFile(file));
}

/** Moves a claimed plan into its final folder; returns the vault-relative destination. */
export async function finalizePlan(life: Lifecycle, claim: string, folder: FinalFolder, plan: string): Promise<string> {
  await life.journal.append({ type: 'finalized', claim, folder, file: claim, at: life.now().toISOString() });
  const dest = await moveNoClobber(inProgressPath(life.vault, claim), path.join(life.vault, folder));
  life.crash('after_finalize');
  const relative = path.relative(life.vault, dest);
  life.audit.record({ event: 'AUDIT', plan, status: folder, message: `moved to ${relative}` });
  return relative;
}

/** Records that a plan waits in In_Progress/ until `retryAt`. */
export async function deferPlan(life: Lifecycle, claim: string, retryAt: Date, reason: string): Promise<void> {
  await life.journal.append({ type: 'deferred', claim, retry_at: retryAt.toISOString(), reason, at: life.now().toISOString() });
}
