/**
 * The read-only vault tools: read_note, list_notes, search_notes, recent_changes. Each result's text is
 * the value a plan's template wants: the note itself, or the paths (or matching lines) one per line.
 */
import { readFile, stat } from 'node:fs/promises';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { okResult, runTool, ToolFailure } from '../shared/result.js';
import { registerStrictTool } from '../shared/strict-tool.js';
import { matchesPattern } from './glob.js';
import { toVaultRelative, type VaultPolicy } from './policy.js';
import * as s from './schemas.js';
import { parseSince } from './since.js';
import { walkNotes, type NoteEntry } from './walk.js';

export interface VaultContext {
  /** Real path of the vault root. */
  readonly root: string;
  readonly policy: VaultPolicy;
  readonly now: () => Date;
}

export const MAX_NOTE_BYTES = 2 * 1024 * 1024;
const LIST_LIMIT = 500;
const SEARCH_LIMIT = 100;
const RECENT_LIMIT = 100;
const SNIPPET_CHARS = 200;

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

async function folderOf(ctx: VaultContext, folder: string | undefined): Promise<string> {
  const absolute = folder === undefined ? ctx.root : await ctx.policy.readable(folder, 'folder');
  const info = await stat(absolute).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new ToolFailure('validation', `folder "${folder}" does not exist in the vault; list_notes without a folder shows what does`);
  }
  return absolute;
}

function describe(ctx: VaultContext, note: NoteEntry) {
  return { path: toVaultRelative(ctx.root, note.absolute), bytes: note.bytes, modified: note.modified.toISOString() };
}

export function registerReadTools(server: McpServer, ctx: VaultContext): void {
  registerStrictTool(
    server,
    'read_note',
    {
      description: 'Read a note of the vault by its vault-relative path. The result text is the note text itself; path, size and modification time are in the structured result.',
      input: s.readNoteInput,
      output: s.readNoteOutput,
      annotations: READ_ONLY,
    },
    ({ path }) =>
      runTool(async () => {
        const absolute = await ctx.policy.readable(path, 'note');
        const info = await stat(absolute).catch(() => undefined);
        if (info === undefined) throw new ToolFailure('validation', `note "${path}" does not exist; check the path with list_notes`);
        if (!info.isFile()) throw new ToolFailure('validation', `"${path}" is a folder, not a note; use list_notes to see inside it`);
        if (info.size > MAX_NOTE_BYTES) {
          throw new ToolFailure('validation', `note "${path}" is ${info.size} bytes, over the ${MAX_NOTE_BYTES}-byte read limit`);
        }
        const content = await readFile(absolute, 'utf8');
        const rel = toVaultRelative(ctx.root, absolute);
        return okResult({ path: rel, bytes: info.size, modified: info.mtime.toISOString() }, content);
      }),
  );

  registerStrictTool(
    server,
    'list_notes',
    {
      description: `List the markdown notes under a folder (recursively, hidden folders skipped), sorted by path; at most ${LIST_LIMIT}.`,
      input: s.listNotesInput,
      output: s.listNotesOutput,
      annotations: READ_ONLY,
    },
    ({ folder, pattern }) =>
      runTool(async () => {
        const base = await folderOf(ctx, folder);
        let matcher: (rel: string) => boolean = () => true;
        if (pattern !== undefined) {
          try {
            matchesPattern(pattern, 'probe.md');
          } catch (error) {
            throw new ToolFailure('validation', (error as Error).message);
          }
          matcher = (rel) => matchesPattern(pattern, rel);
        }
        const notes = (await walkNotes(base))
          .filter((note) => matcher(toVaultRelative(base, note.absolute)))
          .map((note) => describe(ctx, note))
          .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
        const shown = notes.slice(0, LIST_LIMIT);
        const folderRel = toVaultRelative(ctx.root, base);
        return okResult(
          { folder: folderRel, notes: shown, total: notes.length, truncated: notes.length > shown.length },
          shown.map((n) => n.path).join('\n'),
        );
      }),
  );

  registerStrictTool(
    server,
    'search_notes',
    {
      description: `Find notes whose text contains the query (case-insensitive); returns matching lines, at most ${SEARCH_LIMIT}.`,
      input: s.searchNotesInput,
      output: s.searchNotesOutput,
      annotations: READ_ONLY,
    },
    ({ query, folder }) =>
      runTool(async () => {
        const base = await folderOf(ctx, folder);
        const needle = query.toLowerCase();
        const notes = (await walkNotes(base)).filter((n) => n.bytes <= MAX_NOTE_BYTES);
        notes.sort((a, b) => (a.absolute < b.absolute ? -1 : 1));
        const matches: { path: string; line: number; text: string }[] = [];
        let truncated = false;
        for (const note of notes) {
          const text = await readFile(note.absolute, 'utf8').catch(() => '');
          const lines = text.split(/\r?\n/);
          for (let i = 0; i < lines.length; i++) {
            const line = lines[i] ?? '';
            if (!line.toLowerCase().includes(needle)) continue;
            if (matches.length === SEARCH_LIMIT) {
              truncated = true;
              break;
            }
            matches.push({ path: toVaultRelative(ctx.root, note.absolute), line: i + 1, text: line.trim().slice(0, SNIPPET_CHARS) });
          }
          if (truncated) break;
        }
        return okResult(
          { query, matches, truncated },
          matches.map((m) => `${m.path}:${m.line}: ${m.text}`).join('\n'),
        );
      }),
  );

  registerStrictTool(
    server,
    'recent_changes',
    {
      description: `Notes modified since a time ("2026-02-16T09:00:00Z") or a duration ago ("24h", "7d"), newest first; at most ${RECENT_LIMIT}.`,
      input: s.recentChangesInput,
      output: s.recentChangesOutput,
      annotations: READ_ONLY,
    },
    ({ since }) =>
      runTool(async () => {
        const cutoff = parseSince(since, ctx.now());
        if (cutoff === undefined) {
          throw new ToolFailure('validation', `since "${since}" is neither an ISO 8601 time nor a duration like "30m", "24h", "7d"`);
        }
        const recent = (await walkNotes(ctx.root))
          .filter((n) => n.modified.getTime() >= cutoff.getTime())
          .sort((a, b) => b.modified.getTime() - a.modified.getTime());
        const shown = recent.slice(0, RECENT_LIMIT).map((n) => describe(ctx, n));
        return okResult(
          { since: cutoff.toISOString(), notes: shown, truncated: recent.length > shown.length },
          shown.map((n) => n.path).join('\n'),
        );
      }),
  );
}
