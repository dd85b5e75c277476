/**
 * What a plan file says about itself, for listing and finding it: its id and the fields the daemon
 * writes (`status`, `error`, `retry_at`, `completed_at`, `failed_at`). Read from the front matter only.
 * Pure (given the file's bytes).
 */
import { splitFrontMatter } from '../plan/front-matter.js';
import { defaultId } from '../plan/plan-fields.js';

/** The folders a plan passes through, in the order they are searched for an id (live ones first). */
export const PLAN_FOLDERS = ['In_Progress', 'Approved', 'Pending_Approval', 'Done', 'Failed', 'Needs_Review', 'Rejected'] as const;
export type PlanFolder = (typeof PLAN_FOLDERS)[number];

/** Folders a plan does not leave by itself: waiting on them is over. */
export const FINAL_PLAN_FOLDERS: ReadonlySet<PlanFolder> = new Set<PlanFolder>(['Done', 'Failed', 'Needs_Review', 'Rejected']);

export interface PlanSummary {
  readonly id: string;
  readonly folder: PlanFolder;
  /** File name inside the folder. */
  readonly name: string;
  /** Vault-relative path, `Folder/name.md`. */
  readonly path: string;
  readonly final: boolean;
  readonly status?: string;
  readonly error?: string;
  readonly retryAt?: string;
  readonly completedAt?: string;
  readonly failedAt?: string;
  /** Last modification, ISO 8601. */
  readonly modified: string;
  readonly size: number;
}

export interface FileFacts {
  readonly folder: PlanFolder;
  readonly name: string;
  readonly mtimeMs: number;
  readonly size: number;
}

const FIELD_CHARS = 500;

/** `bytes` undefined: the file was too large or unreadable, so only its name tells who it is. */
export function summarize(facts: FileFacts, bytes: Uint8Array | undefined): PlanSummary {
  const base = {
    folder: facts.folder,
    name: facts.name,
    path: `${facts.folder}/${facts.name}`,
    final: FINAL_PLAN_FOLDERS.has(facts.folder),
    modified: new Date(facts.mtimeMs).toISOString(),
    size: facts.size,
  };
  const fallback = { ...base, id: defaultId(facts.name) };
  if (bytes === undefined) return fallback;
  const split = splitFrontMatter(Buffer.from(bytes).toString('utf8'));
  if (!split.ok) return fallback;
  const data = split.value.data;
  const text = (key: string): string | undefined => {
    const value = data[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim().slice(0, FIELD_CHARS);
    if (value instanceof Date) return value.toISOString();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return undefined;
  };
  // The id rule of plan-fields.ts: front-matter `id` (text or number), else the file name.
  const id = typeof data.id === 'string' || typeof data.id === 'number' ? text('id') : undefined;
  const fields = {
    status: text('status'),
    error: text('error'),
    retryAt: text('retry_at'),
    completedAt: text('completed_at'),
    failedAt: text('failed_at'),
  };
  return {
    ...base,
    id: id ?? fallback.id,
    ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
  };
}

/** Where an id's plan is when several files claim it: the live folders first, then the newest. */
export function preferred(a: PlanSummary, b: PlanSummary): PlanSummary {
  const rank = (s: PlanSummary): number => (s.final ? PLAN_FOLDERS.length : PLAN_FOLDERS.indexOf(s.folder));
  if (rank(a) !== rank(b)) return rank(a) < rank(b) ? a : b;
  return a.modified >= b.modified ? a : b;
}
