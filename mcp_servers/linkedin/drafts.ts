/**
 * Offline mode: a post becomes a markdown draft in `<vault>/Outbox/LinkedIn/`, clearly marked as not
 * posted, so a human can publish it by hand.
 */
import { access, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../shared/atomic-file.js';
import { resolveInVault } from '../shared/vault-path.js';
import type { Visibility } from './ledger.js';

export const DRAFT_FOLDER = 'Outbox/LinkedIn';

export interface Draft {
  readonly text: string;
  readonly visibility: Visibility;
  readonly createdAt: Date;
  readonly idempotencyKey?: string;
}

/** Writes the draft atomically under a fresh name; returns its vault-relative path (forward slashes). */
export async function writeDraft(vaultRoot: string, draft: Draft): Promise<string> {
  await mkdir(vaultRoot, { recursive: true });
  const folder = await resolveInVault(vaultRoot, DRAFT_FOLDER);
  await mkdir(folder, { recursive: true });
  const base = `${stamp(draft.createdAt)}-${slug(draft.text)}`;
  const name = await freeName(folder, base);
  await writeFileAtomic(path.join(folder, name), renderDraft(draft));
  return `${DRAFT_FOLDER}/${name}`;
}

export function renderDraft(draft: Draft): string {
  const front: Record<string, string> = {
    type: 'linkedin_post',
    status: 'draft',
    visibility: draft.visibility,
    created: draft.createdAt.toISOString(),
  };
  if (draft.idempotencyKey) front.idempotency_key = draft.idempotencyKey;
  return [
    '---',
    stringify(front).trimEnd(),
    '---',
    '',
    '> **NOT posted to LinkedIn.** No LinkedIn credentials are configured (LINKEDIN_ACCESS_TOKEN and',
    '> LINKEDIN_AUTHOR_URN), so this post was saved here as a draft. Publish it by hand, or set the',
    '> credentials and run the step again.',
    '',
    draft.text,
    '',
  ].join('\n');
}

function stamp(at: Date): string {
  return at.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
}

function slug(text: string): string {
  const words = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9\s-]/g, '')
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 6)
    .join('-');
  return words.slice(0, 50).replace(/-+$/, '') || 'post';
}

/** A name not yet taken: `base.md`, then `base-2.md`, ... Drafts are never overwritten. */
async function freeName(folder: string, base: string): Promise<string> {
  for (let n = 1; ; n += 1) {
    const name = n === 1 ? `${base}.md` : `${base}-${n}.md`;
    try {
      await access(path.join(folder, name));
    } catch {
      return name;
    }
  }
}
