/**
 * What a plan file says about itself before the daemon takes it: its approval stamp and its status
 * (front matter only), read without moving it. And the stamp itself, written into a newly approved
 * plan at its claim, so the file stays that approval wherever a human moves it.
 */
import { randomBytes } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { DEFAULT_MAX_BYTES } from '../plan/decode.js';
import { splitFrontMatter } from '../plan/front-matter.js';
import { sha256 } from '../run/identify.js';
import { diskPlanFile, PlanFileWriter } from '../run/plan-file.js';

interface PlanHead {
  /** `approval_id`: absent for a plan never claimed (or a file that is not a readable plan). */
  readonly approval?: string;
  readonly status?: string;
  /**
   * Its front matter can be read, so a stamp can be written into it without changing what the file
   * means (a broken one is refused anyway; stamping it could even make it parse).
   */
  readonly stampable: boolean;
  /**
   * What the file is, as read here: its bytes' hash, or for a file too large to be a plan its size (a
   * cluster reserves the file by this before moving it: what was judged is what is claimed).
   */
  readonly content: string;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the front matter of `file`; throws when it cannot be read (permissions), so it is left where it is. */
export async function readPlanHead(file: string): Promise<PlanHead> {
  const { size } = await stat(file);
  if (size > DEFAULT_MAX_BYTES) return { stampable: false, content: `size:${size}` };
  const bytes = await readFile(file);
  const content = sha256(bytes);
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch (error) {
    if (error instanceof TypeError) return { stampable: false, content }; // not UTF-8: refused later, never stamped
    throw error;
  }
  const split = splitFrontMatter(text.replace(/^\uFEFF/, ''));
  if (!split.ok) return { stampable: false, content };
  const { approval_id: approval, status } = split.value.data;
  return {
    stampable: true,
    content,
    ...(typeof approval === 'string' && approval.trim() !== '' ? { approval: approval.trim() } : {}),
    ...(typeof status === 'string' ? { status: status.trim() } : {}),
  };
}

export function newApprovalId(): string {
  return randomBytes(8).toString('hex');
}

/** Writes `approval_id` into the plan's front matter (a file that is not text is left as it is). */
export async function stampApproval(file: string, approval: string): Promise<void> {
  await new PlanFileWriter(diskPlanFile(file)).update({ fields: { approval_id: approval } });
}
