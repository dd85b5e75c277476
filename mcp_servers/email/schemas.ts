/** Input and output schemas of send_email. */
import { z } from 'zod';
import { withErrorEnvelope } from '../shared/tool-output.js';

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
        z.string().min(1).max(1024),
        z.object({ path: z.string().min(1).max(1024), filename: z.string().min(1).max(255).optional() }),
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
  replayed: z.boolean().describe('True when this key was already sent and nothing was sent now'),
  rejected: z.array(z.string()).optional().describe('Recipients the SMTP server refused while accepting the others'),
});
