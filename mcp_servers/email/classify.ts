/**
 * Maps an SMTP failure to the error types of SPEC §7 and says whether the message may have gone out
 * (`sent`), so the orchestrator knows whether to retry: refused logins are `authentication`;
 * 421/450/451/452/454 (busy, throttled, out of resources) are `rate_limit`; other 4xx are transient
 * `server_error`; other 5xx are permanent `tool_error` — a reply code is the server refusing, so nothing
 * was sent. Network failures and timeouts are `connection`/`timeout` with nothing sent until the server
 * accepted the DATA command, and `ambiguous` with `sent: true` after (the message may have been delivered).
 */
import { ToolFailure } from '../shared/result.js';
import type { SmtpSendError } from './smtp-send.js';

// 535 bad credentials; 530 authentication required; 534 mechanism too weak; 538 encryption needed for auth.
const AUTH_CODES = new Set([530, 534, 535, 538]);
const RATE_LIMIT_CODES = new Set([421, 450, 451, 452, 454]);
const NETWORK_CODES = new Set(['ECONNECTION', 'ESOCKET', 'EDNS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

/** Replaces every occurrence of a secret (e.g. the SMTP password) in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length > 0).reduce((out, secret) => out.split(secret).join('[REDACTED]'), text);
}

export function classifySmtpError(error: SmtpSendError, secrets: readonly string[]): ToolFailure {
  const { smtp, phase } = error;
  const detail = redact(smtp.message, secrets);
  const code = smtp.responseCode;
  const refused = { sent: false };
  if (smtp.code === 'EAUTH' || (code !== undefined && AUTH_CODES.has(code))) {
    return new ToolFailure('authentication', `SMTP server refused the login: ${detail}; check the user and password in SMTP_URL`, refused);
  }
  if (code !== undefined && RATE_LIMIT_CODES.has(code)) {
    return new ToolFailure('rate_limit', `SMTP server is busy or throttling (${code}): ${detail}; nothing was sent, try again later`, refused);
  }
  if (code !== undefined && code >= 400 && code < 500) {
    return new ToolFailure('server_error', `SMTP server reported a temporary failure (${code}): ${detail}; nothing was sent`, refused);
  }
  if (code !== undefined && code >= 500) {
    return new ToolFailure('tool_error', `SMTP server rejected the message (${code}): ${detail}; nothing was sent`, refused);
  }
  const network = smtp.code !== undefined && NETWORK_CODES.has(smtp.code);
  if (smtp.code === 'ETIMEDOUT' || network) {
    if (phase === 'data') {
      return new ToolFailure(
        'ambiguous',
        `SMTP connection failed while the message was being sent (${detail}); it may have been delivered, check before resending`,
        { sent: true },
      );
    }
    const type = smtp.code === 'ETIMEDOUT' ? 'timeout' : 'connection';
    const where = phase === 'envelope' ? 'before the message was sent' : 'check the host and port in SMTP_URL';
    return new ToolFailure(type, `could not reach the SMTP server (${detail}); nothing was sent; ${where}`, refused);
  }
  if (smtp.code === 'ETLS') {
    const certificate = /certificate|self[- ]signed|CERT_|verify/i.test(detail);
    return new ToolFailure(
      certificate ? 'tool_error' : 'connection',
      certificate
        ? `TLS with the SMTP server failed: ${detail}; nothing was sent; fix its certificate, or add ?tls.rejectUnauthorized=false to SMTP_URL for a self-signed one`
        : `TLS with the SMTP server failed: ${detail}; nothing was sent`,
      refused,
    );
  }
  if (smtp.code === 'EENVELOPE' || smtp.code === 'EMESSAGE') {
    return new ToolFailure('validation', `the message cannot be sent: ${detail}`, refused);
  }
  // A reply we could not read, or anything else: once the data phase began, the message may be out.
  const sent = phase === 'data';
  const unsure = sent ? '; the message may have been delivered, check before resending' : '; nothing was sent';
  if (smtp.code === 'EPROTOCOL') return new ToolFailure(sent ? 'ambiguous' : 'server_error', `SMTP protocol error: ${detail}${unsure}`, { sent });
  return new ToolFailure(sent ? 'ambiguous' : 'tool_error', `SMTP delivery failed: ${detail}${unsure}`, { sent });
}
