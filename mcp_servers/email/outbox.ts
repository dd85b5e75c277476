/**
 * Offline delivery: the raw message as an `.eml` file in `<vault>/Outbox/Email/`, written atomically.
 * File names end in a hash of the Message-ID, so a resend after a crash (same key, same Message-ID)
 * finds the file it already wrote instead of writing a second one.
 */
import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { resolveInVault } from '../shared/vault-path.js';

export const OUTBOX_FOLDER = 'Outbox/Email';

function slugOf(subject: string): string {
  const slug = subject
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'message';
}

function stampOf(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** Writes the message and returns its vault-relative path. */
export async function writeOutboxMessage(
  root: string,
  raw: Buffer,
  meta: { subject: string; messageId: string; date: Date },
): Promise<string> {
  const suffix = `-${createHash('sha256').update(meta.messageId).digest('hex').slice(0, 12)}.eml`;
  const folder = await resolveInVault(root, OUTBOX_FOLDER);
  const earlier = (await readdir(folder).catch(() => [] as string[])).find((name) => name.endsWith(suffix));
  const name = earlier ?? `${stampOf(meta.date)}-${slugOf(meta.subject)}${suffix}`;
  const relative = `${OUTBOX_FOLDER}/${name}`;
  const absolute = await resolveInVault(root, relative);
  if (earlier === undefined) await writeFileAtomic(absolute, raw);
  return path.relative(root, absolute).split(path.sep).join('/');
}
