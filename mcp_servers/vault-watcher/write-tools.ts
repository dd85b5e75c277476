/**
 * The vault tools that change notes: write_note and move_note. Both refuse lifecycle and hidden paths.
 * Their result text is the path written (or moved to), ready for a later step's template.
 */
import { lstat, mkdir, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { fsyncDir, writeFileAtomic } from '../shared/atomic-file.js';
import { okResult, runTool, ToolFailure } from '../shared/result.js';
import { registerStrictTool } from '../shared/strict-tool.js';
import { toVaultRelative } from './policy.js';
import { MAX_NOTE_BYTES, type VaultContext } from './read-tools.js';
import * as s from './schemas.js';

type WriteMode = (typeof s.writeModes)[number];

async function existing(absolute: string) {
  return lstat(absolute).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
}

/** The new text of the note: appended text starts on its own line. */
function nextContent(mode: WriteMode, previous: string | undefined, content: string): string {
  if (mode !== 'append' || previous === undefined || previous === '') return content;
  return previous.endsWith('\n') ? previous + content : `${previous}\n${content}`;
}

export function registerWriteTools(server: McpServer, ctx: VaultContext): void {
  registerStrictTool(
    server,
    'write_note',
    {
      description:
        'Write a note atomically. mode create (default) fails if the note exists; overwrite replaces it; append adds to its end. ' +
        'Lifecycle folders (Approved, In_Progress, Done, Failed, Needs_Review) and hidden folders are refused.',
      input: s.writeNoteInput,
      output: s.writeNoteOutput,
      // overwrite replaces text and append repeats it: destructive and not idempotent.
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    ({ path: notePath, content, mode }) =>
      runTool(async () => {
        const absolute = await ctx.policy.writable(notePath);
        const info = await existing(absolute);
        if (info?.isDirectory()) throw new ToolFailure('validation', `"${notePath}" is a folder; give the path of a note inside it`);
        if (info !== undefined && mode === 'create') {
          throw new ToolFailure('validation', `note "${notePath}" already exists; use mode "overwrite" or "append", or another path`);
        }
        const previous = mode === 'append' && info !== undefined ? await readFile(absolute, 'utf8') : undefined;
        const text = nextContent(mode, previous, content);
        const bytes = Buffer.byteLength(text);
        if (bytes > MAX_NOTE_BYTES) {
          throw new ToolFailure('validation', `note "${notePath}" would be ${bytes} bytes, over the ${MAX_NOTE_BYTES}-byte limit`);
        }
        await writeFileAtomic(absolute, text);
        const rel = toVaultRelative(ctx.root, absolute);
        const created = info === undefined;
        return okResult({ path: rel, mode, created, bytes }, rel);
      }),
  );

  registerStrictTool(
    server,
    'move_note',
    {
      description:
        'Move or rename a note inside the vault (an atomic rename). Never replaces an existing note. ' +
        'Moves into or out of lifecycle folders (Approved, In_Progress, Done, Failed, Needs_Review) are refused.',
      input: s.moveNoteInput,
      output: s.moveNoteOutput,
      // Nothing is lost (no overwrite), but a second identical call fails because the source is gone.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    ({ from, to }) =>
      runTool(async () => {
        const source = await ctx.policy.writable(from);
        const targetPath = /[\\/]$/.test(to) ? `${to}${path.basename(source)}` : to;
        const target = await ctx.policy.writable(targetPath);
        const sourceInfo = await existing(source);
        if (sourceInfo === undefined) throw new ToolFailure('validation', `note "${from}" does not exist; check the path with list_notes`);
        if (sourceInfo.isDirectory()) throw new ToolFailure('validation', `"${from}" is a folder; move_note moves single notes`);
        if ((await existing(target)) !== undefined) {
          throw new ToolFailure('validation', `"${targetPath}" already exists; choose another name (notes are never replaced)`);
        }
        await mkdir(path.dirname(target), { recursive: true });
        await rename(source, target);
        await fsyncDir(path.dirname(target));
        if (path.dirname(source) !== path.dirname(target)) await fsyncDir(path.dirname(source));
        const result = { from: toVaultRelative(ctx.root, source), to: toVaultRelative(ctx.root, target) };
        return okResult(result, result.to);
      }),
  );
}
