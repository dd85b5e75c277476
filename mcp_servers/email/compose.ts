/**
 * Builds the RFC 5322 message with nodemailer's MailComposer, so the `.eml` file and the SMTP DATA are the
 * same bytes. The Message-ID is ours: derived from the idempotency key when there is one, so a resend after
 * a crash carries the same Message-ID and receivers can spot the duplicate.
 */
import { createHash, randomUUID } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Mailbox } from './addresses.js';

export interface Draft {
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments: readonly { filename: string; content: Buffer }[];
  readonly messageId: string;
  readonly date: Date;
}

export function makeMessageId(from: Mailbox, idempotencyKey: string | undefined): string {
  const unique = idempotencyKey
    ? createHash('sha256').update(`email:${idempotencyKey}`).digest('hex').slice(0, 32)
    : randomUUID();
  const domain = from.address.slice(from.address.lastIndexOf('@') + 1) || 'localhost';
  return `<${unique}@${domain}>`;
}

/** SMTP envelope: the sender and every recipient once, Bcc included. */
export function envelopeOf(draft: Draft): { from: string; to: string[] } {
  const to = [...new Set([...draft.to, ...draft.cc, ...draft.bcc].map((m) => m.address))];
  return { from: draft.from.address, to };
}

/** RFC 5322 wants CRLF line ends; MailComposer keeps the body's own, so normalise them first. */
function crlf(text: string | undefined): string | undefined {
  return text?.replace(/\r\n|\r|\n/g, '\r\n');
}

/** The raw message. `keepBcc` keeps the Bcc header: wanted in an outbox file, never on the wire. */
export async function composeMessage(draft: Draft, keepBcc: boolean): Promise<Buffer> {
  const list = (boxes: readonly Mailbox[]) => (boxes.length === 0 ? undefined : boxes.map((m) => ({ ...m })));
  const node = new MailComposer({
    from: { ...draft.from },
    to: list(draft.to),
    cc: list(draft.cc),
    bcc: list(draft.bcc),
    subject: draft.subject,
    text: crlf(draft.text) ?? (draft.html === undefined ? '' : undefined),
    html: crlf(draft.html),
    attachments: draft.attachments.map((a) => ({ filename: a.filename, content: a.content })),
    messageId: draft.messageId,
    date: draft.date,
  }).compile();
  node.keepBcc = keepBcc;
  return node.build();
}
