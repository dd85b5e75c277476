/**
 * Recipient lists: each of `to`, `cc`, `bcc` is a string (possibly "A <a@x.org>, b@y.org") or an array of
 * them. Parsing is nodemailer's address parser; the check on each address is ours, because the parser
 * accepts anything (a bare word becomes a display name with an empty address).
 */
import addressparser from 'nodemailer/lib/addressparser/index.js';
import { ToolFailure } from '../shared/result.js';

export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

// Dot-atom local part and a host name of letters, digits and hyphens (Unicode allowed for IDN), or an IP literal.
const LOCAL = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(?:\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
const IP_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;

export function isValidAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1 || address.length > 254) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local.length > 64 || !LOCAL.test(local)) return false;
  return IP_LITERAL.test(domain) || domain.split('.').every((label) => LABEL.test(label));
}

/** Parses one field into mailboxes; throws a `validation` ToolFailure naming the field and the bad entry. */
export function parseRecipients(field: string, value: string | readonly string[] | undefined): Mailbox[] {
  if (value === undefined) return [];
  const mailboxes: Mailbox[] = [];
  for (const text of typeof value === 'string' ? [value] : value) {
    if (/[\r\n]/.test(text)) throw new ToolFailure('validation', `${field}: ${JSON.stringify(text)} contains a line break`);
    const parsed = addressparser(text, { flatten: true });
    if (parsed.length === 0) throw new ToolFailure('validation', `${field}: ${JSON.stringify(text)} holds no address`);
    for (const { name, address } of parsed) {
      // The parser reads "a b@x.org" as name "a", address "b@x.org": a typo, not a display name, so a name
      // counts only in the "Name <address>" form.
      const strayName = name !== '' && !text.includes('<');
      if (strayName || !isValidAddress(address)) {
        throw new ToolFailure(
          'validation',
          `${field}: ${JSON.stringify(strayName ? text : address || name)} is not a valid e-mail address; use name@example.com or "Name <name@example.com>"`,
        );
      }
      mailboxes.push({ name, address });
    }
  }
  return mailboxes;
}
