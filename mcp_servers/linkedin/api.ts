/**
 * The LinkedIn REST Posts API (versioned `/rest/posts`): create a text post, list the author's posts.
 * HTTP failures come out as classified ToolFailures (see http.ts).
 */
import { z } from 'zod';
import { ToolFailure } from '../shared/result.js';
import { requestJson } from '../shared/http.js';
import type { Visibility } from './ledger.js';
import { escapeLittleText, unescapeLittleText } from './little-text.js';
import type { LinkedInCredentials, LinkedInSettings } from './settings.js';

export interface ApiContext {
  readonly settings: LinkedInSettings;
  readonly credentials: LinkedInCredentials;
  readonly signal?: AbortSignal;
}

function headers(ctx: ApiContext, withBody: boolean): Record<string, string> {
  const result: Record<string, string> = {
    Authorization: `Bearer ${ctx.credentials.accessToken}`,
    'LinkedIn-Version': ctx.settings.apiVersion,
    'X-Restli-Protocol-Version': '2.0.0',
  };
  if (withBody) result['Content-Type'] = 'application/json';
  return result;
}

export function postBody(author: string, text: string, visibility: Visibility): Record<string, unknown> {
  return {
    author,
    commentary: escapeLittleText(text),
    visibility,
    distribution: { feedDistribution: 'MAIN_FEED', targetEntities: [], thirdPartyDistributionChannels: [] },
    lifecycleState: 'PUBLISHED',
    isReshareDisabledByAuthor: false,
  };
}

/** Publishes a post; returns its URN from the `x-restli-id` header. */
export async function createPost(ctx: ApiContext, text: string, visibility: Visibility): Promise<string> {
  const reply = await requestJson({
    service: 'LinkedIn',
    method: 'POST',
    url: `${ctx.settings.apiBase}/rest/posts`,
    headers: headers(ctx, true),
    body: postBody(ctx.credentials.authorUrn, text, visibility),
    idempotent: false,
    timeoutMs: ctx.settings.timeoutMs,
    signal: ctx.signal,
    now: ctx.settings.now,
  });
  const id = reply.headers.get('x-restli-id') ?? reply.headers.get('x-linkedin-id');
  if (!id) {
    // The post most likely exists, but without its id we cannot say which one: a human should look.
    throw new ToolFailure('tool_error', `LinkedIn answered HTTP ${reply.status} without an x-restli-id header; check the author's feed before posting again`, {
      sent: true,
    });
  }
  return id;
}

const ApiPostSchema = z.looseObject({
  id: z.string(),
  commentary: z.string().optional(),
  visibility: z.string().optional(),
  lifecycleState: z.string().optional(),
  createdAt: z.number().optional(),
  publishedAt: z.number().optional(),
});
const ApiListSchema = z.looseObject({ elements: z.array(ApiPostSchema) });

export interface ListedPost {
  readonly id: string;
  readonly text: string;
  readonly visibility?: string;
  readonly state?: string;
  readonly created_at?: string;
  readonly url?: string;
}

export async function listPosts(ctx: ApiContext, count: number): Promise<ListedPost[]> {
  const author = encodeURIComponent(ctx.credentials.authorUrn);
  const reply = await requestJson({
    service: 'LinkedIn',
    method: 'GET',
    url: `${ctx.settings.apiBase}/rest/posts?author=${author}&q=author&count=${count}`,
    headers: headers(ctx, false),
    idempotent: true,
    timeoutMs: ctx.settings.timeoutMs,
    signal: ctx.signal,
    now: ctx.settings.now,
  });
  const parsed = ApiListSchema.safeParse(reply.json);
  if (!parsed.success) {
    throw new ToolFailure('tool_error', 'LinkedIn answered the post list with an unexpected body (no "elements" array of posts with ids)', { sent: true });
  }
  return parsed.data.elements.map((post) => {
    const at = post.publishedAt ?? post.createdAt;
    return {
      id: post.id,
      text: unescapeLittleText(post.commentary ?? ''),
      ...(post.visibility ? { visibility: post.visibility } : {}),
      ...(post.lifecycleState ? { state: post.lifecycleState } : {}),
      ...(at === undefined ? {} : { created_at: new Date(at).toISOString() }),
      url: postUrl(post.id),
    };
  });
}

export function postUrl(urn: string): string {
  return `https://www.linkedin.com/feed/update/${urn}/`;
}
