import { z } from 'zod';
import type { ErrorType } from '../execution/errors.js';
import { FINAL_FOLDERS, type FinalFolder } from '../vault/folders.js';

/**
 * The journal's record types (one JSON object per line). `claim` is the plan's file name in
 * In_Progress/, unique while it is there; `step` is the step's 1-based index in the plan; `at` is an
 * ISO 8601 time. Read through these schemas; the types are derived from them.
 */

/** Mirrors ERROR_TYPES (src/execution/errors.ts) without importing runtime code; checked below. */
const JOURNAL_ERROR_TYPES = [
  'validation',
  'authentication',
  'rate_limit',
  'timeout',
  'server_error',
  'connection',
  'tool_error',
  'ambiguous',
] as const satisfies readonly ErrorType[];
// Compile-time guard: fails to type-check if ErrorType gains a member this list lacks.
const everyErrorTypeListed: Exclude<ErrorType, (typeof JOURNAL_ERROR_TYPES)[number]> extends never ? true : never = true;
void everyErrorTypeListed;

export const OUTCOME_STATUSES = ['succeeded', 'failed', 'ambiguous'] as const;

const claim = z.string().min(1);
const step = z.number().int().positive();
const attempt = z.number().int().positive();
const at = z.string().min(1);

export const ClaimedRecordSchema = z.object({
  type: z.literal('claimed'),
  claim,
  /** The plan's id. */
  plan: z.string(),
  /** The file name it was approved as (before any suffix). */
  file: z.string(),
  /** sha256 of the claimed content. */
  hash: z.string(),
  at,
});

/** "About to call": on disk before the request leaves the process. */
export const IntentRecordSchema = z.object({
  type: z.literal('intent'),
  claim,
  step,
  key: z.string(),
  attempt,
  idempotent: z.boolean(),
  at,
});

export const OutcomeRecordSchema = z.object({
  type: z.literal('outcome'),
  claim,
  step,
  key: z.string(),
  attempt,
  status: z.enum(OUTCOME_STATUSES),
  // An unknown type (say, from a newer version) must not make the whole record unreadable: losing a
  // 'succeeded' outcome could lead to a re-send.
  error_type: z.enum(JOURNAL_ERROR_TYPES).optional().catch(undefined),
  text: z.string().optional(),
  structured: z.unknown().optional(),
  /** Set when `text` was cut to the size bound (bound.ts). */
  text_truncated: z.boolean().optional(),
  /** Set when `structured` exceeded the size bound and was left out. */
  structured_dropped: z.boolean().optional(),
  at,
});

export const DeferredRecordSchema = z.object({
  type: z.literal('deferred'),
  claim,
  retry_at: z.string().min(1),
  reason: z.string(),
  at,
});

/** Written before the rename into the final folder. */
export const FinalizedRecordSchema = z.object({
  type: z.literal('finalized'),
  claim,
  folder: z.enum(FINAL_FOLDERS),
  file: z.string(),
  at,
});

export const JournalRecordSchema = z.discriminatedUnion('type', [
  ClaimedRecordSchema,
  IntentRecordSchema,
  OutcomeRecordSchema,
  DeferredRecordSchema,
  FinalizedRecordSchema,
]);

export type ClaimedRecord = z.infer<typeof ClaimedRecordSchema>;
export type IntentRecord = z.infer<typeof IntentRecordSchema>;
export type OutcomeRecord = z.infer<typeof OutcomeRecordSchema>;
export type DeferredRecord = z.infer<typeof DeferredRecordSchema>;
export type FinalizedRecord = z.infer<typeof FinalizedRecordSchema>;
export type JournalRecord = z.infer<typeof JournalRecordSchema>;
export type { FinalFolder };
export type OutcomeStatus = (typeof OUTCOME_STATUSES)[number];
