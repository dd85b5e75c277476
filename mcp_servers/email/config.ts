/**
 * The email server's settings from its environment: the vault (`VAULT_DIR`), the state folder
 * (`MCP_STATE_DIR`, default `<vault>/.mcp-state`), the sender (`SMTP_FROM`) and, when `SMTP_URL` is set,
 * SMTP delivery. Error messages never echo the URL: it may hold a password.
 */
import { parseConnectionUrl } from 'nodemailer/lib/shared/index.js';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { ToolFailure } from '../shared/result.js';
import { parseRecipients, type Mailbox } from './addresses.js';
import type { Delivery } from './send-tool.js';

export const DEFAULT_FROM = 'orchestrator@localhost';

// Shorter than nodemailer's defaults (2 min to connect, 10 min idle), which exceed a tool call's deadline.
const TIMEOUTS = { connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 60_000 };

export function senderFromEnv(env: NodeJS.ProcessEnv): Mailbox {
  const text = env.SMTP_FROM && env.SMTP_FROM.trim() !== '' ? env.SMTP_FROM : DEFAULT_FROM;
  try {
    const boxes = parseRecipients('SMTP_FROM', text);
    if (boxes.length !== 1 || boxes[0] === undefined) throw new Error('SMTP_FROM must hold exactly one address');
    return boxes[0];
  } catch (error) {
    const reason = error instanceof ToolFailure || error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}; set SMTP_FROM to one address such as "Orchestrator <bot@example.com>"`);
  }
}

export function deliveryFromEnv(env: NodeJS.ProcessEnv): Delivery {
  const url = env.SMTP_URL?.trim();
  if (!url) return { kind: 'file' };
  if (!/^smtps?:\/\//i.test(url)) {
    throw new Error('SMTP_URL must start with smtp:// or smtps://, e.g. smtp://user:pass@smtp.example.com:587');
  }
  const parsed = parseConnectionUrl(url);
  if (!parsed.host) throw new Error('SMTP_URL has no host; e.g. smtp://user:pass@smtp.example.com:587');
  const options: SMTPConnection.Options = { ...TIMEOUTS, ...parsed };
  const pass = (parsed.auth as { pass?: unknown } | undefined)?.pass;
  const secrets = typeof pass === 'string' && pass !== '' ? [pass, encodeURIComponent(pass)] : [];
  return { kind: 'smtp', options, secrets };
}

