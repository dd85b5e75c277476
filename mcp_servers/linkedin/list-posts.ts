/**
 * `list_posts`: the author's recent posts from the API when credentials are set, otherwise what this
 * server has posted or drafted, newest first, from its ledger.
 */
import { z } from 'zod';
import { listPosts } from './api.js';
import { ledgerFile, readLedger } from './ledger.js';
import type { LinkedInSettings } from './settings.js';

export const DEFAULT_LIST_LIMIT = 10;

export const ListPostsInput = {
  limit: z.number().int().min(1).max(100).optional().describe(`How many posts, newest first; ${DEFAULT_LIST_LIMIT} when omitted`),
};

const ListedPostSchema = z.object({
  id: z.string().describe('Post URN, or the draft note path for drafts'),
  text: z.string(),
  visibility: z.string().optional(),
  state: z.string().optional().describe('PUBLISHED, DRAFT, ... as LinkedIn reports it; "draft" for local drafts'),
  created_at: z.string().optional(),
  url: z.string().optional(),
  path: z.string().optional().describe('Vault-relative path of a local draft'),
});

export const ListPostsOutput = {
  source: z.enum(['api', 'local']).describe('"api": from LinkedIn; "local": this server\'s own record (no credentials)'),
  posts: z.array(ListedPostSchema),
};
export type ListPostsOutcome = { source: 'api' | 'local'; posts: z.infer<typeof ListedPostSchema>[] };

export async function runListPosts(settings: LinkedInSettings, limit: number | undefined, signal?: AbortSignal): Promise<ListPostsOutcome> {
  const count = limit ?? DEFAULT_LIST_LIMIT;
  if (settings.credentials) {
    const posts = await listPosts({ settings, credentials: settings.credentials, ...(signal ? { signal } : {}) }, count);
    return { source: 'api', posts };
  }
  const entries = await readLedger(ledgerFile(settings.stateDir));
  const posts = entries
    .slice()
    .reverse()
    .slice(0, count)
    .map((entry) => ({
      id: entry.result.post_id ?? entry.result.path ?? entry.text_hash,
      text: entry.text,
      visibility: entry.result.visibility,
      state: entry.result.delivered_via === 'draft' ? 'draft' : 'PUBLISHED',
      created_at: entry.at,
      ...(entry.result.url ? { url: entry.result.url } : {}),
      ...(entry.result.path ? { path: entry.result.path } : {}),
    }));
  return { source: 'local', posts };
}
