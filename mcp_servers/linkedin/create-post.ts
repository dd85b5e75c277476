/**
 * `create_post`: checks (length, 7-day duplicate), idempotent replay, then the API or a draft, and
 * finally the ledger entry that makes the first two work next time.
 */
import { z } from 'zod';
import { ToolFailure } from '../shared/result.js';
import { createPost, postUrl } from './api.js';
import { writeDraft } from './drafts.js';
import {
  DUPLICATE_WINDOW_MS,
  PostResultSchema,
  VisibilitySchema,
  appendLedger,
  findByKey,
  findRecentDuplicate,
  ledgerFile,
  readLedger,
  textHash,
  type PostResult,
} from './ledger.js';
import type { LinkedInSettings } from './settings.js';

export const MAX_POST_CHARS = 3000;

export const CreatePostInput = {
  text: z.string().describe(`The post text, at most ${MAX_POST_CHARS} characters`),
  visibility: VisibilitySchema.optional().describe('Who sees the post; PUBLIC when omitted'),
  idempotency_key: z
    .string()
    .min(1)
    .optional()
    .describe('Same key, same result: a repeated call returns the first result and posts nothing again'),
};

export const CreatePostOutput = PostResultSchema.extend({
  deduplicated: z
    .boolean()
    .describe('True when this idempotency key was already used: the first result is returned and nothing was posted now'),
});
export type CreatePostOutcome = z.infer<typeof CreatePostOutput>;

export interface CreatePostArgs {
  readonly text: string;
  readonly visibility?: 'PUBLIC' | 'CONNECTIONS';
  readonly idempotencyKey?: string;
  readonly signal?: AbortSignal;
}

export async function runCreatePost(settings: LinkedInSettings, args: CreatePostArgs): Promise<CreatePostOutcome> {
  const file = ledgerFile(settings.stateDir);
  const entries = await readLedger(file);
  if (args.idempotencyKey !== undefined) {
    const earlier = findByKey(entries, args.idempotencyKey);
    if (earlier) return { ...earlier.result, deduplicated: true };
  }
  const text = args.text;
  checkText(text);
  const now = settings.now();
  const hash = textHash(text);
  const duplicate = findRecentDuplicate(entries, hash, now, settings.credentials ? 'api' : 'draft');
  if (duplicate) {
    const where = duplicate.result.post_id ? `as ${duplicate.result.post_id}` : `as the draft ${duplicate.result.path ?? ''}`;
    const until = new Date(Date.parse(duplicate.at) + DUPLICATE_WINDOW_MS).toISOString();
    throw new ToolFailure(
      'validation',
      `the same text was already posted on ${duplicate.at} ${where}; change the text or wait until ${until} (duplicates within 7 days are refused)`,
    );
  }
  const visibility = args.visibility ?? 'PUBLIC';
  const result = await deliver(settings, text, visibility, now, args);
  try {
    await appendLedger(file, {
      at: now.toISOString(),
      text_hash: hash,
      text,
      ...(args.idempotencyKey === undefined ? {} : { idempotency_key: args.idempotencyKey }),
      result,
    });
  } catch (error) {
    // The post (or draft) exists but is not recorded: say so, marked as sent, rather than as a plain fault.
    const what = result.post_id !== undefined ? `posted as ${result.post_id}` : `drafted as ${result.path ?? '?'}`;
    throw new ToolFailure('tool_error', `${what}, but recording it failed (${(error as Error).message}); do not post it again`, {
      sent: result.delivered_via === 'api',
    });
  }
  return { ...result, deduplicated: false };
}

function checkText(text: string): void {
  if (text.trim() === '') throw new ToolFailure('validation', 'text is empty; give the post text to publish');
  // LinkedIn counts characters, not UTF-16 units: an emoji is one character.
  const length = [...text].length;
  if (length > MAX_POST_CHARS) {
    throw new ToolFailure(
      'validation',
      `text is ${length} characters; LinkedIn posts are limited to ${MAX_POST_CHARS}, shorten it by ${length - MAX_POST_CHARS}`,
    );
  }
}

async function deliver(
  settings: LinkedInSettings,
  text: string,
  visibility: 'PUBLIC' | 'CONNECTIONS',
  now: Date,
  args: CreatePostArgs,
): Promise<PostResult> {
  const createdAt = now.toISOString();
  if (!settings.credentials) {
    const path = await writeDraft(settings.vaultRoot, {
      text,
      visibility,
      createdAt: now,
      ...(args.idempotencyKey === undefined ? {} : { idempotencyKey: args.idempotencyKey }),
    });
    return { delivered_via: 'draft', path, visibility, created_at: createdAt };
  }
  const ctx = { settings, credentials: settings.credentials, ...(args.signal ? { signal: args.signal } : {}) };
  const postId = await createPost(ctx, text, visibility);
  return { post_id: postId, url: postUrl(postId), delivered_via: 'api', visibility, created_at: createdAt };
}

/** One line for people reading the result or the log. */
export function describePost(outcome: CreatePostOutcome, key: string | undefined): string {
  if (outcome.deduplicated) {
    const first =
      outcome.delivered_via === 'draft' ? `saved as the draft ${outcome.path ?? '?'} (NOT posted to LinkedIn)` : `posted to LinkedIn as ${outcome.post_id ?? '?'}`;
    return `Already sent: ${first} on ${outcome.created_at} (idempotency key ${key ?? '?'}); nothing sent again`;
  }
  if (outcome.delivered_via === 'draft') {
    return `NOT posted to LinkedIn: no credentials are configured, so a draft was saved to ${outcome.path ?? '?'}`;
  }
  return `Posted to LinkedIn as ${outcome.post_id ?? '?'} (${outcome.url ?? ''})`;
}
