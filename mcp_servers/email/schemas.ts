/** Input and output schemas of send_email. */
import { z } from 'zod';
import { vaultPathField } from '../shared/path-rules.js';
import { withErrorEnvelope } from '../shared/tool-output.js';

const attachmentPath = vaultPathField('note', 'A file of the vault, e.g. "Files/report.pdf"');

const recipients = z
  .union([z.string().min(1).max(4000), z.array(z.string().min(1).max(4000)).min(1).max(100)])
  .describe('An address ("a@example.com", "Ann <a@example.com>", or several separated by commas) or a list of them');

export const sendEmailInput = {
  to: recipients,
  cc: recipients.optional(),
  bcc: recipients.optional(),
  subject: z.string().max(998),
  body: z.string().max(5_000_000).optional().describe('Plain-text body'),
  html: z.string().max(5_000_000).optional().describe('HTML body (sent alongside the plain text when both are given)'),
  attachments: z
    .array(
      z.union([
        attachmentPath,
        z.strictObject({ path: attachmentPath, filename: z.string().min(1).max(255).optional().describe('Name shown to the recipient') }),
      ]),
    )
    .max(20)
    .optional()
    .describe('Files of the vault to attach, by vault-relative path'),
  idempotency_key: z
    .string()
    .min(1)
    .max(256)
    .optional()
    .describe('Repeating a key returns the first result and sends nothing again (also read from _meta.idempotency_key)'),
};

export const sendEmailOutput = withErrorEnvelope({
  message_id: z.string(),
  delivered_via: z.enum(['smtp', 'file']),
  path: z.string().optional().describe('Vault-relative path of the .eml file when delivered to the outbox'),
  deduplicated: z.boolean().describe('True when this idempotency key was already sent: the first message_id is returned and nothing was sent now'),
  sent_at: z.string().optional().describe('When a deduplicated message was first sent (ISO 8601)'),
  rejected: z.array(z.string()).optional().describe('Recipients the SMTP server refused while accepting the others'),
});
