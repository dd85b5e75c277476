/**
 * A claimed plan the daemon is responsible for, from its claim (or its recovery at start) to its final
 * folder, and how it is first known: its file read once right after the claim.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Config } from '../config/schema.js';
import type { PlanRef } from '../events/plan-event.js';
import { DEFAULT_MAX_BYTES } from '../plan/decode.js';
import { defaultId } from '../plan/plan-fields.js';
import { identifyPlan, type IdentifiedPlan } from '../run/identify.js';
import { inProgressPath } from './lifecycle.js';

/**
 * What a run continues from (succeeded steps, unknown outcomes) is not here: it is read from the
 * journal's state of the approval (approvals.ts) at the start of every run.
 */
export interface Job {
  readonly ref: PlanRef;
  readonly claimedAt: Date;
  /** What was approved: a run whose plan no longer hashes to it does not run. */
  readonly approvedHash?: string;
}

/**
 * Reads the just-claimed file once, for its id, approver and approved hash (run/identify.ts). A file too
 * large to be a plan is known by its size, unread.
 */
export async function identifyClaim(config: Config, claim: string, approval: string): Promise<IdentifiedPlan> {
  const file = inProgressPath(config.vault, claim);
  const { size } = await stat(file);
  if (size > DEFAULT_MAX_BYTES) return { ref: { claim, approval, id: defaultId(claim) }, hash: `size:${size}` };
  return identifyPlan(await readFile(file), claim, config.actions, approval);
}
