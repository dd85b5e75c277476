import { z } from 'zod';
import { ERROR_TYPES } from '../core/errors.js';
import { FINAL_FOLDERS } from '../vault/folders.js';

/**
 * The journal's record types (one JSON object per line). `claim` is the approval the record belongs to
 * (the plan file's `approval_id`; in journals written before approvals existed, the file's name in
 * In_Progress/); `step` is the step's 1-based index in the plan; `at` is an ISO 8601 time. Read through
 * these schemas; the types are derived from them.
 */

const claim = z.string().min(1);
const step = z.number().int().positive();
const attempt = z.number().int().positive();
const at = z.string().min(1);
/** Which attempt of which step: the fields an intent and its outcome share, in the order they are written. */
const ofAttempt = { claim, step, key: z.string(), attempt };

const ClaimedRecordSchema = z.object({
  type: z.literal('claimed'),
  claim,
  /** The plan's id. */
  plan: z.string(),
  /** Its file name in In_Progress/; absent in journals from before approvals (`claim` was the name then). */
  name: z.string().optional(),
  /** The file name it was approved as (before any suffix). */
  file: z.string(),
  /** The plan's `approved_by`, so log lines name the approver after a restart too. */
  approved_by: z.string().optional(),
  /** What was sent for this approval before this claim is not known (the journal had lost it). */
  forgotten: z.literal(true).optional(),
  /** What was approved: the hash of the plan's definition (plan/canonical.ts), or of its bytes when unparseable. */
  hash: z.string(),
  at,
});

/** "About to call": on disk before the request leaves the process. */
const IntentRecordSchema = z.object({
  type: z.literal('intent'),
  ...ofAttempt,
  idempotent: z.boolean(),
  at,
});

export const OutcomeRecordSchema = z.object({
  type: z.literal('outcome'),
  ...ofAttempt,
  status: z.enum(['succeeded', 'failed', 'ambiguous']),
  // An unknown type (say, from a newer version) must not make the whole record unreadable: losing a
  // 'succeeded' outcome could lead to a re-send.
  error_type: z.enum(ERROR_TYPES).optional().catch(undefined),
  text: z.string().optional(),
  structured: z.unknown().optional(),
  /** Set when `text` was cut to the size bound (events/step-result.ts). */
  text_truncated: z.boolean().optional(),
  /** Set when `structured` exceeded the size bound and was left out. */
  structured_dropped: z.boolean().optional(),
  at,
});

const DeferredRecordSchema = z.object({
  type: z.literal('deferred'),
  claim,
  retry_at: z.string().min(1),
  reason: z.string(),
  at,
});

/** Written before the rename into the final folder. */
const FinalizedRecordSchema = z.object({
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

export type OutcomeRecord = z.infer<typeof OutcomeRecordSchema>;
export type JournalRecord = z.infer<typeof JournalRecordSchema>;
