/**
 * Start-up recovery: read the journal, decide for every claim what to do (pure: journal/decide-recovery),
 * compact the journal to the live claims. The daemon carries the decisions out.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import {
  compactJournal,
  decideRecovery,
  readJournal,
  recoverState,
  type ClaimState,
  type PlanLocation,
  type RecoveryDecision,
} from '../journal/index.js';
import { FINAL_FOLDERS, isPlanFileName } from '../vault/index.js';

export interface RecoveredClaim {
  readonly claim: string;
  readonly state?: ClaimState;
  readonly decision: RecoveryDecision | { readonly kind: 'unjournaled' };
}

export interface RecoveryReport {
  readonly claims: readonly RecoveredClaim[];
  readonly problems: readonly string[];
  readonly tornTail: boolean;
}

/** Reads and compacts the journal. Call before a JournalWriter is opened on it. */
export async function recoverAtStart(vault: string, journalFile: string): Promise<RecoveryReport> {
  const contents = await readJournal(journalFile);
  const states = recoverState(contents.records);
  const inProgress = new Set((await readdir(path.join(vault, 'In_Progress'))).filter(isPlanFileName));
  const claims: RecoveredClaim[] = [];
  const folders = folderListings(vault);
  for (const [claim, state] of states) {
    const location = inProgress.has(claim) ? 'In_Progress' : await locate(folders, claim, state);
    claims.push({ claim, state, decision: decideRecovery(state, location) });
  }
  // Renamed into In_Progress/ but the crash came before the `claimed` record: nothing was sent yet.
  for (const claim of inProgress) {
    if (!states.has(claim)) claims.push({ claim, decision: { kind: 'unjournaled' } });
  }
  const live = claims.filter((c) => c.decision.kind !== 'forget' && c.decision.kind !== 'missing').map((c) => c.claim);
  await compactJournal(journalFile, live);
  return { claims, problems: contents.problems, tornTail: contents.tornTail };
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

async function locate(
  folders: (folder: Searchable) => Promise<ReadonlySet<string>>,
  claim: string,
  state: ClaimState,
): Promise<PlanLocation> {
  const names = [state.file, claim].filter((name): name is string => name !== undefined);
  for (const folder of [...FINAL_FOLDERS, 'Approved'] as const) {
    const entries = await folders(folder);
    if (names.some((name) => entries.has(name))) return folder;
  }
  return 'missing';
}
