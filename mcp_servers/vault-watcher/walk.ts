/**
 * Lists the markdown notes under a folder. Hidden entries (`.obsidian`, `.mcp-state`, dotfiles) and
 * symbolic links are skipped, so a walk never leaves the vault nor loops.
 */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface NoteEntry {
  /** Absolute path. */
  readonly absolute: string;
  readonly bytes: number;
  readonly modified: Date;
}

export async function walkNotes(folder: string): Promise<NoteEntry[]> {
  const notes: NoteEntry[] = [];
  const pending = [folder];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // removed or unreadable while we walked: skip it rather than fail the whole listing
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const absolute = path.join(dir, entry.name);
      if (entry.isDirectory()) pending.push(absolute);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.md')) {
        try {
          const info = await stat(absolute);
          notes.push({ absolute, bytes: info.size, modified: info.mtime });
        } catch {
          // vanished between readdir and stat
        }
      }
    }
  }
  return notes;
}
