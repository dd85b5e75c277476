/**
 * What each file of the hostile corpus (tests/fixtures/hostile/) is, which layer must stop it, and what
 * its error must say. Layers, in the order a plan meets them:
 *   scanner  — the daemon's look at Approved/ (symlinks, non-files): the file is never opened;
 *   parse    — decodePlanText, front matter, YAML (src/plan/parse.ts): before any server is asked;
 *   validate — configuration, tool catalog, templates, policy (src/plan/validate.ts): no tool is called;
 *   tool     — the bundled server refuses the call (a `validation` error): for paths whose spelling is
 *              fine but which really lead elsewhere (symlinks), only the server can see it. A hostile
 *              spelling (`..`, absolute, NUL, lifecycle folder, hidden entry) fails the `pattern` the
 *              bundled servers publish in their input schemas (SPEC §10), so it stops at validate.
 *              Either way the plan ends in Failed/ and nothing outside the vault changes.
 */
import path from 'node:path';
import { REPO_ROOT } from '../helpers/stdio-client.js';

export const HOSTILE_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'hostile');

export type Layer = 'scanner' | 'parse' | 'validate' | 'tool';

export interface HostileFile {
  readonly file: string;
  readonly layer: Layer;
  /** What the error (the plan's `error:` field, or the audit log for files left byte for byte) says. */
  readonly error: RegExp;
  /** Dropped into Approved/ under this name instead of `file`. */
  readonly as?: string;
  /** Not UTF-8 text: the daemon must leave every byte as it came. */
  readonly binary?: true;
}

const YAML = /front matter is not valid YAML/;
const JS = /front matter language .* is not accepted \(it is never evaluated\)/;
const NOT_TEXT = /binary, not a markdown plan|not valid UTF-8/;
const OUTSIDE = /path ".*" (contains "\.\."|is absolute|leads outside the vault)/;
const LIFECYCLE = /lifecycle folder/;
/** The published path pattern of the named argument refuses it before any tool is called. */
const PATTERN = (tool: string, argument: string) =>
  new RegExp(`arguments do not fit ${tool.replace('.', '\\.')}: .*argument "${argument.replace('.', '\\.')}" must match pattern`);

export const HOSTILE_FILES: readonly HostileFile[] = [
  // YAML and front matter
  { file: 'yaml-unclosed-quote.md', layer: 'parse', error: /Missing closing "quote/ },
  { file: 'yaml-duplicate-key.md', layer: 'parse', error: /Map keys must be unique/ },
  { file: 'yaml-duplicate-key-in-step.md', layer: 'parse', error: /yaml block is not valid: Map keys must be unique/ },
  { file: 'yaml-tab-indentation.md', layer: 'parse', error: /Tabs are not allowed/ },
  { file: 'yaml-unclosed-front-matter.md', layer: 'parse', error: /never closed/ },
  { file: 'yaml-not-a-mapping.md', layer: 'parse', error: /must be a YAML mapping/ },
  { file: 'yaml-alias-bomb.md', layer: 'parse', error: /Excessive alias count/ },
  { file: 'yaml-alias-bomb-in-step.md', layer: 'parse', error: /Excessive alias count/ },
  { file: 'yaml-merge-key-bomb.md', layer: 'parse', error: /Excessive alias count/ },
  { file: 'yaml-deep-flow.md', layer: 'parse', error: /nested too deeply/ },
  { file: 'yaml-deeply-nested-block-list.md', layer: 'parse', error: /nested too deeply/ },
  { file: 'yaml-js-function-tag.md', layer: 'parse', error: /Unresolved tag/ },
  { file: 'yaml-python-tag.md', layer: 'parse', error: /Unresolved tag/ },
  { file: 'yaml-complex-key.md', layer: 'parse', error: /key is itself a list or mapping/ },
  { file: 'json-front-matter-broken.md', layer: 'parse', error: YAML },
  { file: 'front-matter-js.md', layer: 'parse', error: JS },
  { file: 'front-matter-javascript.md', layer: 'parse', error: JS },
  { file: 'front-matter-JavaScript-case.md', layer: 'parse', error: JS },
  { file: 'front-matter-js-spaced.md', layer: 'parse', error: JS },
  { file: 'front-matter-coffee.md', layer: 'parse', error: JS },
  // Bytes that are not a UTF-8 markdown file
  { file: 'binary-png.md', layer: 'parse', error: NOT_TEXT, binary: true },
  { file: 'binary-nul-in-text.md', layer: 'parse', error: NOT_TEXT },
  { file: 'latin1-text.md', layer: 'parse', error: NOT_TEXT, binary: true },
  { file: 'utf16le-bom.md', layer: 'parse', error: NOT_TEXT, binary: true },
  { file: 'utf8-overlong.md', layer: 'parse', error: NOT_TEXT, binary: true },
  { file: 'utf8-lone-surrogate.md', layer: 'parse', error: NOT_TEXT, binary: true },
  { file: 'utf8-truncated-sequence.md', layer: 'parse', error: NOT_TEXT, binary: true },
  // Size and structure
  { file: 'ten-thousand-steps.md', layer: 'parse', error: /10000 steps; at most 1000/ },
  { file: 'steps-and-action.md', layer: 'parse', error: /both `steps` and `action`/ },
  { file: 'no-steps-at-all.md', layer: 'parse', error: /no steps found/ },
  { file: 'deeply-nested-markdown-list.md', layer: 'validate', error: /not in `approved_actions`/ },
  { file: 'template-self-reference.md', layer: 'validate', error: /refers to this same step/ },
  { file: 'template-mutual-reference.md', layer: 'validate', error: /dependency cycle/ },
  { file: 'template-unknown-step.md', layer: 'validate', error: /refers to unknown step "ghost"/ },
  { file: 'template-nested-braces.md', layer: 'validate', error: /refers to unknown step "a"/ },
  { file: 'depends-on-cycle.md', layer: 'validate', error: /dependency cycle: a → b → a/ },
  { file: 'arguments-wrong-type.md', layer: 'validate', error: /path|content|mode/ },
  // Policy
  { file: 'approved-actions-violation.md', layer: 'validate', error: /"send_email" is not in `approved_actions`/ },
  { file: 'approved-actions-empty.md', layer: 'validate', error: /not in `approved_actions` \(an empty list\)/ },
  { file: 'approved-actions-direct-tool.md', layer: 'validate', error: /"vault-watcher.write_note" is not in `approved_actions`/ },
  { file: 'expired-utc.md', layer: 'validate', error: /approval expired at 2020-01-01T00:00:00Z/ },
  { file: 'expired-zoneless.md', layer: 'validate', error: /approval expired at 2020-06-01T09:30:00 / },
  { file: 'expired-date-only.md', layer: 'validate', error: /approval expired at 2020-06-01 / },
  { file: 'expires-not-a-date.md', layer: 'validate', error: /"next tuesday" is not an ISO 8601 date-time/ },
  { file: 'expires-impossible-date.md', layer: 'validate', error: /"2099-02-30T10:00:00Z" is not an ISO 8601 date-time/ },
  { file: 'status-rejected.md', layer: 'validate', error: /status is "rejected"/ },
  { file: 'status-rejected-uppercase.md', layer: 'validate', error: /status is "REJECTED"/ },
  { file: 'status-draft.md', layer: 'validate', error: /status is "draft"/ },
  { file: 'unknown-action.md', layer: 'validate', error: /unknown action "delete_everything"/ },
  { file: 'unknown-action-proto.md', layer: 'validate', error: /unknown action "__proto__"/ },
  { file: 'unknown-server.md', layer: 'validate', error: /unknown server "shell"/ },
  { file: 'unknown-tool.md', layer: 'validate', error: /delete_vault/ },
  // Hostile paths in every path-taking argument of the bundled servers' tools: the spelling fails the
  // published schema; what only a symlink reveals is refused by the server itself.
  { file: 'path-read-dotdot.md', layer: 'validate', error: PATTERN('vault-watcher.read_note', 'path') },
  { file: 'path-read-absolute.md', layer: 'validate', error: PATTERN('vault-watcher.read_note', 'path') },
  { file: 'path-read-private-state.md', layer: 'validate', error: PATTERN('vault-watcher.read_note', 'path') },
  { file: 'path-write-dotdot.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-absolute.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-backslashes.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-windows-drive.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-nul-byte.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-inner-dotdot.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-approved.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-approved-lowercase.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-done-dot.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-in-progress.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-hidden-orchestrator.md', layer: 'validate', error: PATTERN('vault-watcher.write_note', 'path') },
  { file: 'path-write-symlink-escape.md', layer: 'tool', error: OUTSIDE },
  { file: 'path-write-symlink-to-approved.md', layer: 'tool', error: LIFECYCLE },
  { file: 'path-list-outside.md', layer: 'validate', error: PATTERN('vault-watcher.list_notes', 'folder') },
  { file: 'path-search-absolute.md', layer: 'validate', error: PATTERN('vault-watcher.search_notes', 'folder') },
  { file: 'path-move-out-of-approved.md', layer: 'validate', error: PATTERN('vault-watcher.move_note', 'from') },
  { file: 'path-move-into-approved.md', layer: 'validate', error: PATTERN('vault-watcher.move_note', 'to') },
  { file: 'path-move-to-outside.md', layer: 'validate', error: PATTERN('vault-watcher.move_note', 'to') },
  { file: 'path-attachment-dotdot.md', layer: 'validate', error: PATTERN('email-server.send_email', 'attachments.0') },
  { file: 'path-attachment-absolute.md', layer: 'validate', error: PATTERN('email-server.send_email', 'attachments.0.path') },
  { file: 'path-attachment-private-state.md', layer: 'validate', error: PATTERN('email-server.send_email', 'attachments.0') },
  { file: 'path-attachment-symlink-escape.md', layer: 'tool', error: OUTSIDE },
  // Names with spaces, unicode and control characters, and plan ids that try to forge log lines
  { file: 'named-with-spaces.md', as: ' plan  with   spaces .md', layer: 'validate', error: /unknown action/ },
  { file: 'named-with-unicode.md', as: 'plän ünïcødé 計画 🚀 ‮dm.exe.md', layer: 'validate', error: /not in `approved_actions`/ },
  { file: 'named-with-controls.md', as: 'ctl\t\u001b[31mred\u0007\r\n[fake] DONE.md', layer: 'validate', error: /status is "rejected"/ },
  { file: 'hostile-plan-id-escapes.md', layer: 'validate', error: /status is "rejected"/ },
  { file: 'hostile-plan-id-newlines.md', layer: 'validate', error: /status is "rejected"/ },
];

/** Symlinks dropped into Approved/ (OUTSIDE: a folder next to the vault; VAULT: the vault; SELF: a loop). */
export const SYMLINKS: readonly { readonly name: string; readonly target: string }[] = [
  { name: 'symlink-to-outside-file.md', target: 'OUTSIDE/canary.txt' },
  { name: 'symlink-to-valid-plan.md', target: 'VAULT/Plans/valid.md' },
  { name: 'symlink-to-folder.md', target: 'OUTSIDE/folder' },
  { name: 'symlink-dangling.md', target: 'OUTSIDE/does-not-exist.md' },
  { name: 'symlink-loop.md', target: 'SELF' },
  { name: 'symlink-to-etc-passwd.md', target: '/etc/passwd' },
];

/** Valid plans among them: the daemon must still do its work. */
export const CONTROLS: readonly string[] = ['control-valid.md'];
