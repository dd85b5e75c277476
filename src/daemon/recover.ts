/**
 * Start-up recovery: read the journal, decide for every claim what to do (pure:
 * journal/decide-recovery.ts) and carry each decision out, exactly as decided. Each claim is handled on
 * its own: one that cannot be carried out raises an ALERT and stays where it is.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import { messageOf } from '../core/text.js';
import type { EventStream } from '../events/event-stream.js';
import { decideRecovery, type PlanLocation, type RecoveryDecision } from '../journal/decide-recovery.js';
import { JournalFatalError } from '../journal/errors.js';
import { recoverState, type ClaimState } from '../journal/recover.js';
import type { JournalStore } from '../journal/store.js';
import { defaultId } from '../plan/plan-fields.js';
import { FINAL_FOLDERS } from '../vault/folders.js';
import { isPlanFileName } from '../vault/plan-file-name.js';
import { identifyClaim, type Job } from './job.js';
import type { PlanRunner } from './runner.js';
import type { Settler } from './settle.js';

export interface RecoveryOptions {
  readonly config: Config;
  readonly store: JournalStore;
  readonly stream: EventStream;
  readonly audit: AuditLog;
  readonly clock: Clock;
  readonly runner: PlanRunner;
  readonly settler: Settler;
}

type Decision = RecoveryDecision | { readonly kind: 'unjournaled' };

export async function recoverAtStart(options: RecoveryOptions): Promise<void> {
  const { config, store, audit } = options;
  const contents = await store.read();
  for (const problem of contents.problems) audit.record({ event: 'ALERT', message: `journal: ${problem}` });
  const states = recoverState(contents.records);
  const inProgress = new Set((await readdir(path.join(config.vault, 'In_Progress'))).filter(isPlanFileName));
  const folders = folderListings(config.vault);
  const claims: { claim: string; state?: ClaimState; decision: Decision }[] = [];
  for (const [claim, state] of states) {
    const location = inProgress.has(claim) ? 'In_Progress' : await locate(folders, claim, state);
    claims.push({ claim, state, decision: decideRecovery(state, location) });
  }
  // Renamed into In_Progress/ but the crash came before the `claimed` record: nothing was sent yet.
  for (const claim of inProgress) if (!states.has(claim)) claims.push({ claim, decision: { kind: 'unjournaled' } });

  const live = claims.filter((c) => c.decision.kind !== 'forget' && c.decision.kind !== 'missing').map((c) => c.claim);
  await store.compact(live);
  for (const { claim, state, decision } of claims) {
    try {
      await carryOut(options, claim, state, decision);
    } catch (error) {
      if (error instanceof JournalFatalError) throw error;
      audit.record({ event: 'ALERT', file: claim, message: `recovery of In_Progress/${claim} failed, left where it is: ${messageOf(error)}` });
    }
  }
}

async function carryOut(options: RecoveryOptions, claim: string, state: ClaimState | undefined, decision: Decision): Promise<void> {
  const { runner, settler, clock, audit } = options;
  const job = (carried: Job['carried'] = new Map()): Job => ({
    ref: { claim, id: state?.plan ?? defaultId(claim), ...(state?.approvedBy !== undefined ? { approvedBy: state.approvedBy } : {}) },
    claimedAt: state?.claimedAt ? new Date(state.claimedAt) : clock.now(),
    ...(state?.hash !== undefined ? { approvedHash: state.hash } : {}),
    carried,
  });
  switch (decision.kind) {
    case 'unjournaled': {
      const { ref, hash } = await identifyClaim(options.config, claim);
      await options.stream.for(ref, clock).emit({ type: 'claimed', from: claim, hash });
      return runner.enqueue({ ref, claimedAt: clock.now(), approvedHash: hash, carried: new Map() });
    }
    case 'resume':
      return runner.enqueue(job(decision.carried));
    case 'retry_in_flight': {
      const steps = decision.steps.map((step) => step.step).join(', ');
      audit.record({ event: 'AUDIT', plan: job().ref.id, file: claim, message: `re-sending idempotent step(s) ${steps}, whose outcome the restart left unknown` });
      return runner.enqueue(job(decision.carried));
    }
    case 'deferred': {
      const waiting = job(decision.carried);
      const retryAt = new Date(decision.retryAt);
      await settler.emitterFor(waiting).emit({ type: 'deferred', retryAt, reason: decision.reason, resumed: true });
      return runner.wait(waiting, retryAt);
    }
    case 'needs_review':
      return settler.finalize(job(), 'Needs_Review', { kind: 'needs_review', reason: `step ${decision.step}: ${decision.reason}` });
    case 'finalize':
      return settler.move(job(), decision.folder);
    case 'forget':
      return;
    case 'missing':
      audit.record({ event: 'ALERT', plan: job().ref.id, file: claim, message: decision.reason });
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`unknown recovery decision ${JSON.stringify(unreachable)}`);
    }
  }
}

type Searchable = (typeof FINAL_FOLDERS)[number] | 'Approved';

/** Each folder is read once, and only if some claim has to be looked for there. */
function folderListings(vault: string): (folder: Searchable) => Promise<ReadonlySet<string>> {
  const read = new Map<Searchable, Promise<ReadonlySet<string>>>();
  return (folder) => {
    let names = read.get(folder);
    if (!names) {
      names = readdir(path.join(vault, folder)).then((list) => new Set(list), () => new Set<string>());
      read.set(folder, names);
    }
    return names;
  };
}

async function locate(folders: (folder: Searchable) => Promise<ReadonlySet<string>>, claim: string, state: ClaimState): Promise<PlanLocation> {
  const names = [state.file, claim].filter((name): name is string => name !== undefined);
  for (const folder of [...FINAL_FOLDERS, 'Approved'] as const) {
    const entries = await folders(folder);
    if (names.some((name) => entries.has(name))) return folder;
  }
  return 'missing';
}
