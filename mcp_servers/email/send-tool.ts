/**
 * The send_email tool: validate, answer a known idempotency key with its first result (deduplicated,
 * nothing sent), else compose, deliver, and record.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { okResult, runTool, ToolFailure } from '../shared/result.js';
import { registerStrictTool, type StrictArgs } from '../shared/strict-tool.js';
import { parseRecipients, type Mailbox } from './addresses.js';
import { loadAttachments } from './attachments.js';
import { classifySmtpError } from './classify.js';
import { composeMessage, envelopeOf, makeMessageId, type Draft } from './compose.js';
import type { KeyedLock } from './keyed-lock.js';
import type { Ledger } from './ledger.js';
import { writeOutboxMessage } from './outbox.js';
import { sendEmailInput, sendEmailOutput } from './schemas.js';
import { SmtpSendError, sendViaSmtp } from './smtp-send.js';

export type Delivery =
  | { readonly kind: 'smtp'; readonly options: SMTPConnection.Options; readonly secrets: readonly string[] }
  | { readonly kind: 'file' };

export interface EmailContext {
  /** Real path of the vault root. */
  readonly root: string;
  /** Absolute path of the private state folder (holds the ledger). */
  readonly stateDir: string;
  readonly from: Mailbox;
  readonly delivery: Delivery;
  readonly ledger: Ledger;
  readonly lock: KeyedLock;
  readonly now: () => Date;
  readonly warn: (line: string) => void;
}

type Args = StrictArgs<typeof sendEmailInput>;
type Outcome = { message_id: string; delivered_via: 'smtp' | 'file'; path?: string; rejected?: string[] };

function keyFromMeta(meta: unknown): string | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const key = (meta as Record<string, unknown>).idempotency_key;
  return typeof key === 'string' && key.length > 0 ? key : undefined;
}

async function buildDraft(ctx: EmailContext, args: Args, key: string | undefined): Promise<Draft> {
  if (/[\r\n]/.test(args.subject)) throw new ToolFailure('validation', 'subject contains a line break; give it on one line');
  const to = parseRecipients('to', args.to);
  const cc = parseRecipients('cc', args.cc);
  const bcc = parseRecipients('bcc', args.bcc);
  const attachments = await loadAttachments(ctx.root, ctx.stateDir, args.attachments ?? []);
  return {
    from: ctx.from,
    to,
    cc,
    bcc,
    subject: args.subject,
    text: args.body,
    html: args.html,
    attachments,
    messageId: makeMessageId(ctx.from, key),
    date: ctx.now(),
  };
}

async function deliver(ctx: EmailContext, draft: Draft): Promise<Outcome> {
  const { delivery } = ctx;
  if (delivery.kind === 'file') {
    const path = await writeOutboxMessage(ctx.root, await composeMessage(draft, true), draft);
    return { message_id: draft.messageId, delivered_via: 'file', path };
  }
  try {
    const info = await sendViaSmtp(delivery.options, envelopeOf(draft), await composeMessage(draft, false));
    const rejected = info.rejected.map(String);
    return { message_id: draft.messageId, delivered_via: 'smtp', ...(rejected.length > 0 ? { rejected } : {}) };
  } catch (error) {
    if (error instanceof SmtpSendError) throw classifySmtpError(error, delivery.secrets);
    throw error;
  }
}

async function sendOnce(ctx: EmailContext, args: Args, key: string | undefined) {
  if (key !== undefined) {
    const earlier = await ctx.ledger.find(key);
    if (earlier !== undefined) {
      const { message_id, delivered_via, path, sent_at } = earlier;
      const first = { message_id, delivered_via, ...(path !== undefined ? { path } : {}), sent_at, deduplicated: true };
      const how = path !== undefined ? `written to ${path}` : 'sent by SMTP';
      return okResult(first, `Already sent: ${message_id} was ${how} on ${sent_at} (idempotency key ${key}); nothing sent again`);
    }
  }
  const draft = await buildDraft(ctx, args, key);
  if (draft.to.length === 0) throw new ToolFailure('validation', 'to holds no address');
  const outcome = await deliver(ctx, draft);
  if (key !== undefined) {
    try {
      await ctx.ledger.record({ key, ...outcome, sent_at: ctx.now().toISOString() });
    } catch (error) {
      // The message is out: reporting failure now would invite a duplicate resend, so warn instead.
      ctx.warn(`email-server: sent ${outcome.message_id} but could not record key ${key}: ${(error as Error).message}`);
    }
  }
  const where = outcome.path !== undefined ? `written to ${outcome.path}` : 'sent by SMTP';
  return okResult({ ...outcome, deduplicated: false }, `Message ${outcome.message_id} ${where}`);
}

export function registerSendEmail(server: McpServer, ctx: EmailContext): void {
  registerStrictTool(
    server,
    'send_email',
    {
      description:
        'Send an e-mail: by SMTP when the server is configured with SMTP_URL, otherwise as an .eml file in the vault ' +
        'folder Outbox/Email/. Attachments are vault paths. With an idempotency_key, a repeat returns the first ' +
        'message_id with deduplicated: true and sends nothing.',
      input: sendEmailInput,
      output: sendEmailOutput,
      // Without a key a repeat sends a second message, so not idempotent; sending is additive, not destructive.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) =>
      runTool(() => {
        const key = args.idempotency_key ?? keyFromMeta(extra._meta);
        return key === undefined ? sendOnce(ctx, args, key) : ctx.lock(key, () => sendOnce(ctx, args, key));
      }),
  );
}
