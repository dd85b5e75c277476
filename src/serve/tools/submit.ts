/**
 * `submit_plan`: a valid plan goes into Pending_Approval/ under a safe, unique name, and nowhere else:
 * a human approves it by moving it into Approved/. An invalid plan is refused with its problems; a
 * plan whose only trouble is a server that cannot be reached now is accepted (the daemon validates it
 * again when it runs), its problems returned. Submissions are rate-limited per process.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import path from 'node:path';
import { z } from 'zod';
import { formatDuration } from '../../core/duration.js';
import { parsePlan } from '../../plan/parse.js';
import { formatProblem } from '../../plan/problems.js';
import { markdownInput, MAX_NAME_CHARS } from '../bounds.js';
import type { ServeContext } from '../context.js';
import { createUnique, safePlanFileName } from '../plan-name.js';
import { answer, guarded, Refusal } from './answer.js';
import { checkMarkdown, problemShape, problemsOf } from './catalog.js';

const SUBMIT_FOLDER = 'Pending_Approval';

const submitShape = {
  path: z.string().describe('vault-relative path of the new file, always under Pending_Approval/'),
  id: z.string().describe('the plan id to pass to get_plan, wait_for_plan and cancel_plan'),
  name: z.string(),
  problems: z.array(problemShape).describe('only problems that do not stop the plan now (a server not reachable yet)'),
  next: z.string(),
};

export function registerSubmitTool(server: McpServer, ctx: ServeContext): void {
  server.registerTool(
    'submit_plan',
    {
      title: 'Submit a plan for approval',
      description:
        'Validates the plan like check_plan and, if valid, writes it into Pending_Approval/ (never another folder, never over another file). ' +
        'A human approves it by moving the file into Approved/; follow it with wait_for_plan or get_plan.',
      inputSchema: {
        markdown: markdownInput,
        name: z
          .string()
          .max(MAX_NAME_CHARS, { error: `the name is longer than ${MAX_NAME_CHARS} characters: pick a short file name` })
          .optional()
          .describe('a file name for the plan; folders and odd characters are dropped, .md added, a suffix added on a clash'),
      },
      outputSchema: submitShape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ markdown, name }) => guarded(() => submit(ctx, markdown, name)),
  );
}

async function submit(ctx: ServeContext, markdown: string, name: string | undefined) {
  const { max, per } = ctx.config.serve.submissions;
  const wait = ctx.submissions.admit();
  if (wait !== undefined) {
    throw new Refusal(`too many submissions: at most ${max} per ${formatDuration(per)} are accepted; try again in ${Math.ceil(wait / 1000)} s`);
  }
  const prepared = await checkMarkdown(ctx, markdown);
  const problems = prepared.ok ? [] : prepared.problems;
  const blocking = problems.filter((problem) => problem.code !== 'server_unavailable');
  if (!prepared.ok && (blocking.length > 0 || !prepared.plan)) {
    const listed = problemsOf(blocking.length > 0 ? blocking : problems);
    throw new Refusal(`the plan was not submitted: it is invalid, ${listed.length} problem(s):\n${listed.map((p) => `- ${p.text}`).join('\n')}\nfix them (check_plan shows the same) and submit again`, {
      problems: listed,
    });
  }
  const plan = prepared.ok ? prepared.plan.plan : prepared.plan;
  const explicitId = plan?.frontMatter.id !== undefined;
  const fallback = explicitId && plan ? plan.id : `plan-${stamp(ctx.clock.now())}`;
  const fileName = safePlanFileName(name, fallback);
  await ctx.look();
  const dir = path.join(ctx.config.vault, SUBMIT_FOLDER);
  const written = await createUnique(dir, fileName, Buffer.from(markdown, 'utf8'), ctx.index.takenNames());
  const finalName = path.basename(written);
  // The id as the daemon will know it: the front matter's, else the file name just chosen.
  const reparsed = parsePlan(markdown, finalName, ctx.config.actions);
  const id = reparsed.ok ? reparsed.plan.id : finalName.replace(/\.md$/i, '');
  await ctx.look();
  const relative = `${SUBMIT_FOLDER}/${finalName}`;
  const notes = problems.length > 0 ? ` (warning: ${problems.map(formatProblem).join('; ')})` : '';
  return answer(`submitted as ${relative}, plan id ${id}: waiting for a human to move it into Approved/${notes}`, {
    path: relative,
    id,
    name: finalName,
    problems: problemsOf(problems),
    next: 'a human approves it by moving the file into Approved/; wait_for_plan follows it to its end',
  });
}

function stamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
}
