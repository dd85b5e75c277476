/**
 * What a plan file says about itself, for listing and finding it: its id and the fields the daemon
 * writes (`status`, `error`, `retry_at`, `completed_at`, `failed_at`). Read from the front matter only.
 * Pure (given the file's bytes).
 */
import { z } from 'zod';
import { splitFrontMatter } from '../plan/front-matter.js';
import { defaultId } from '../plan/plan-fields.js';

/** The folders a plan passes through, in the order they are searched for an id (live ones first). */
export const PLAN_FOLDERS = ['In_Progress', 'Approved', 'Pending_Approval', 'Done', 'Failed', 'Needs_Review', 'Rejected'] as const;
export type PlanFolder = (typeof PLAN_FOLDERS)[number];

/** Folders a plan does not leave by itself: waiting on them is over. */
const FINAL_PLAN_FOLDERS: ReadonlySet<PlanFolder> = new Set<PlanFolder>(['Done', 'Failed', 'Needs_Review', 'Rejected']);

/** A plan as list_plans shows it. */
export const planSummaryShape = {
  id: z.string(),
  folder: z.enum(PLAN_FOLDERS),
  path: z.string().describe('vault-relative path of the plan file'),
  status: z.string().optional().describe("the file's status field: pending, in_progress, deferred, completed, failed, cancelled, needs_review…"),
  final: z.boolean().describe('true in Done/, Failed/, Needs_Review/ or Rejected/: the plan does not move on by itself'),
  error: z.string().optional(),
  retry_at: z.string().optional(),
  completed_at: z.string().optional(),
  failed_at: z.string().optional(),
  /** Last modification, ISO 8601. */
  modified: z.string(),
};
export type ListedPlan = z.infer<z.ZodObject<typeof planSummaryShape>>;

export interface PlanSummary extends ListedPlan {
  /** File name inside the folder. */
  readonly name: string;
  readonly size: number;
}

/** What list_plans shows of a summary: all but its file's name and size. */
export function listed(summary: PlanSummary): ListedPlan {
  const { name: _name, size: _size, ...plan } = summary;
  return plan;
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
  const fallback: PlanSummary = {
    id: defaultId(facts.name),
    folder: facts.folder,
    path: `${facts.folder}/${facts.name}`,
    final: FINAL_PLAN_FOLDERS.has(facts.folder),
    modified: new Date(facts.mtimeMs).toISOString(),
    name: facts.name,
    size: facts.size,
  };
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
  const fields = Object.fromEntries(WRITTEN_FIELDS.map((key) => [key, text(key)]).filter(([, value]) => value !== undefined));
  return { ...fallback, id: id ?? fallback.id, ...fields };
}

/** The fields the daemon writes into a plan's front matter, shown as the file says them. */
const WRITTEN_FIELDS = ['status', 'error', 'retry_at', 'completed_at', 'failed_at'] as const;

/** Where an id's plan is when several files claim it: the live folders first, then the newest. */
export function preferred(a: PlanSummary, b: PlanSummary): PlanSummary {
  const rank = (s: PlanSummary): number => (s.final ? PLAN_FOLDERS.length : PLAN_FOLDERS.indexOf(s.folder));
  if (rank(a) !== rank(b)) return rank(a) < rank(b) ? a : b;
  return a.modified >= b.modified ? a : b;
}
