/**
 * Pure rules of log rotation: when a live file must be rotated, what a rotated file is called, and
 * which rotated files retention deletes.
 *
 * A rotated file is named after the moment it was closed, in UTC:
 * `mcp_actions.2026-02-16T14-20-30-123Z.jsonl` (a `.N` before the extension on a clash). Every line in
 * it was written before that moment, so a reader looking for lines newer than T can skip every
 * rotated file whose stamp is older than T (stats does).
 */
import { LogRotationSchema, type LogRotationConfig } from '../config/schema.js';

export const DEFAULT_ROTATION: LogRotationConfig = LogRotationSchema.parse({});

/** `mcp_actions.jsonl` → `{ base: 'mcp_actions', ext: '.jsonl' }`. */
function splitLogName(fileName: string): { readonly base: string; readonly ext: string } {
  const dot = fileName.lastIndexOf('.');
  return dot <= 0 ? { base: fileName, ext: '' } : { base: fileName.slice(0, dot), ext: fileName.slice(dot) };
}

/** `2026-02-16T14-20-30-123Z`: sortable, and legal in file names everywhere (no colons). */
function rotationStamp(at: Date): string {
  return at.toISOString().replace(/:/g, '-').replace('.', '-');
}

export function rotatedName(liveName: string, at: Date, seq = 0): string {
  const { base, ext } = splitLogName(liveName);
  return `${base}.${rotationStamp(at)}${seq > 0 ? `.${seq}` : ''}${ext}`;
}

interface RotatedFile {
  readonly name: string;
  /** When it was rotated (epoch ms): every line in it is older. */
  readonly closedAtMs: number;
  readonly seq: number;
}

const STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/;

/** The rotated files of `liveName` among `names`, oldest first. */
export function rotatedFilesOf(liveName: string, names: readonly string[]): RotatedFile[] {
  const { base, ext } = splitLogName(liveName);
  const files: RotatedFile[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`) || !name.endsWith(ext) || name === liveName) continue;
    const middle = name.slice(base.length + 1, name.length - ext.length).split('.');
    const match = STAMP.exec(middle[0] ?? '');
    if (!match || middle.length > 2) continue;
    const seq = middle.length === 2 ? Number(middle[1]) : 0;
    if (!Number.isInteger(seq) || seq < 0) continue;
    const closedAtMs = Date.parse(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`);
    if (Number.isNaN(closedAtMs)) continue;
    files.push({ name, closedAtMs, seq });
  }
  return files.sort((a, b) => a.closedAtMs - b.closedAtMs || a.seq - b.seq);
}

/** Rotated files that retention removes: beyond the newest `keep`, or closed more than `keepDays` ago. */
export function filesToPrune(rotated: readonly RotatedFile[], policy: LogRotationConfig, nowMs: number): RotatedFile[] {
  const newestFirst = [...rotated].sort((a, b) => b.closedAtMs - a.closedAtMs || b.seq - a.seq);
  const oldest = policy.keepDays === undefined ? -Infinity : nowMs - policy.keepDays * 86_400_000;
  return newestFirst.filter((file, index) => index >= policy.keep || file.closedAtMs < oldest);
}

interface LiveFileState {
  /** Bytes already in the live file. */
  readonly size: number;
  /** Local day (YYYY-MM-DD) of the live file's last write, when known. */
  readonly lastDay: string | undefined;
}

/** Must the live file be rotated before `nextBytes` more are appended on `day`? An empty file never is. */
export function mustRotate(live: LiveFileState, nextBytes: number, day: string, policy: LogRotationConfig): boolean {
  if (live.size === 0) return false;
  if (policy.daily && live.lastDay !== undefined && live.lastDay !== day) return true;
  return policy.maxBytes > 0 && live.size + nextBytes > policy.maxBytes;
}
