/**
 * linkedin-server: an MCP server over stdio with `create_post` and `list_posts` (SPEC §10).
 * Posts through the LinkedIn REST Posts API when LINKEDIN_ACCESS_TOKEN and LINKEDIN_AUTHOR_URN are set,
 * otherwise writes drafts to `<vault>/Outbox/LinkedIn/`. Run: `node dist/mcp_servers/linkedin/server.js`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { okResult, runTool } from '../shared/result.js';
import { serveStdio } from '../shared/serve-stdio.js';
import { registerStrictTool } from '../shared/strict-tool.js';
import { withErrorEnvelope } from '../shared/tool-output.js';
import { CreatePostInput, CreatePostOutput, describePost, runCreatePost } from './create-post.js';
import { ListPostsInput, ListPostsOutput, runListPosts } from './list-posts.js';
import { settingsFromEnv, type LinkedInSettings } from './settings.js';

export const SERVER_VERSION = '0.1.0';

export function createLinkedInServer(settings: LinkedInSettings): McpServer {
  const server = new McpServer({ name: 'linkedin-server', version: SERVER_VERSION });
  // Posts run one at a time so two calls with the same key or text cannot both pass the ledger checks.
  let queue: Promise<unknown> = Promise.resolve();
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };

  registerStrictTool(
    server,
    'create_post',
    {
      title: 'Create a LinkedIn post',
      description:
        'Publishes a text post on LinkedIn (REST Posts API) when credentials are configured; otherwise saves it as a ' +
        'draft note in Outbox/LinkedIn/ and says plainly that it was NOT posted. Refuses text over 3,000 characters ' +
        'and text already posted in the last 7 days. A repeated idempotency_key returns the first result with ' +
        'deduplicated: true and posts nothing.',
      input: CreatePostInput,
      output: withErrorEnvelope(CreatePostOutput.shape),
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) =>
      runTool(async () => {
        const metaKey = extra._meta?.idempotency_key;
        const key = args.idempotency_key ?? (typeof metaKey === 'string' && metaKey !== '' ? metaKey : undefined);
        const outcome = await serialized(() =>
          runCreatePost(settings, {
            text: args.text,
            ...(args.visibility ? { visibility: args.visibility } : {}),
            ...(key === undefined ? {} : { idempotencyKey: key }),
            signal: extra.signal,
          }),
        );
        return okResult(outcome, describePost(outcome, key));
      }),
  );

  registerStrictTool(
    server,
    'list_posts',
    {
      title: 'List LinkedIn posts',
      description:
        "Lists the author's recent posts from LinkedIn when credentials are configured; otherwise the posts and drafts " +
        'this server has recorded, newest first.',
      input: ListPostsInput,
      output: withErrorEnvelope(ListPostsOutput),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    },
    (args, extra) =>
      runTool(async () => {
        const outcome = await runListPosts(settings, args.limit, extra.signal);
        return okResult(outcome);
      }),
  );
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  void serveStdio('linkedin-server', async () => createLinkedInServer(settingsFromEnv(process.env)));
}
