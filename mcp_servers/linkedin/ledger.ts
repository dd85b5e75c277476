/**
 * The durable ledger of everything this server posted or drafted: one fsynced JSON line per post.
 * It answers two questions — "was this idempotency key already used?" and "was the same text posted in
 * the last 7 days?" — and backs `list_posts` when there are no credentials.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { z } from 'zod';
import { appendLineDurable } from '../shared/atomic-file.js';
import { readJsonLines } from '../shared/jsonl.js';

export const VisibilitySchema = z.enum(['PUBLIC', 'CONNECTIONS']);
export type Visibility = z.infer<typeof VisibilitySchema>;

export const PostResultSchema = z.object({
  post_id: z.string().optional().describe('LinkedIn URN of the post (x-restli-id); absent for drafts'),
  url: z.string().optional().describe('Link to the post on LinkedIn'),
  delivered_via: z.enum(['api', 'draft']).describe('"api": published on LinkedIn; "draft": NOT posted, saved as a note'),
  path: z.string().optional().describe('Vault-relative path of the draft note'),
  visibility: VisibilitySchema,
  created_at: z.string().describe('ISO 8601 time of posting or drafting'),
});
export type PostResult = z.infer<typeof PostResultSchema>;

const LedgerEntrySchema = z.object({
  at: z.string(),
  text_hash: z.string(),
  text: z.string(),
  idempotency_key: z.string().optional(),
  result: PostResultSchema,
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

export const DUPLICATE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

export function ledgerFile(stateDir: string): string {
  return path.join(stateDir, 'linkedin-posts.jsonl');
}

/** Whitespace-insensitive identity of a post's text. */
export function textHash(text: string): string {
  return createHash('sha256').update(text.replace(/\s+/g, ' ').trim()).digest('hex');
}

/** All valid entries, oldest first. A torn last line (crash mid-append) is skipped, not fatal. */
export async function readLedger(file: string): Promise<LedgerEntry[]> {
  return readJsonLines(file, LedgerEntrySchema);
}

export async function appendLedger(file: string, entry: LedgerEntry): Promise<void> {
  await appendLineDurable(file, JSON.stringify(entry));
}

export function findByKey(entries: readonly LedgerEntry[], key: string): LedgerEntry | undefined {
  return entries.find((entry) => entry.idempotency_key === key);
}

/**
 * The most recent entry with the same text within the window before `now`. A draft never reached
 * LinkedIn, so it blocks another draft but not the real post of the same text once credentials are set.
 */
export function findRecentDuplicate(
  entries: readonly LedgerEntry[],
  hash: string,
  now: Date,
  via: PostResult['delivered_via'],
): LedgerEntry | undefined {
  const since = now.getTime() - DUPLICATE_WINDOW_MS;
  return entries
    .filter((entry) => entry.text_hash === hash && Date.parse(entry.at) > since)
    .filter((entry) => via === 'draft' || entry.result.delivered_via === 'api')
    .at(-1);
}
