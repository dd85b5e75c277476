/**
 * The confinement the bundled servers publish in their input schemas (SPEC §10): the `pattern` of every
 * path argument, taken from a real `tools/list` over stdio, run through Ajv (as the orchestrator and
 * other clients validate) and plain RegExps over a table of good and bad paths; then the same table
 * against the servers themselves, which must refuse exactly what the schema refuses.
 */
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtPath, connectStdio, type StdioConnection } from '../helpers/stdio-client.js';
import { EXPECTED } from './path-table.js';

type Schema = Record<string, any>;
type Use = keyof typeof EXPECTED;
const USES = Object.keys(EXPECTED) as Use[];

const VAULT_SERVER = builtPath('mcp_servers/vault-watcher/server.js');
const EMAIL_SERVER = builtPath('mcp_servers/email/server.js');

async function schemasOf(conn: StdioConnection): Promise<Map<string, Schema>> {
  const { tools } = await conn.client.listTools();
  return new Map(tools.map((tool) => [tool.name, tool.inputSchema as Schema]));
}

/** The argument that carries a path of each use, and the other arguments a valid call needs. */
const PROBES: Record<Use, { tool: string; property: string; args: (p: string) => Record<string, unknown> }> = {
  note: { tool: 'read_note', property: 'path', args: (p) => ({ path: p }) },
  folder: { tool: 'list_notes', property: 'folder', args: (p) => ({ folder: p }) },
  write: { tool: 'write_note', property: 'path', args: (p) => ({ path: p, content: 'x' }) },
  'move-target': { tool: 'move_note', property: 'to', args: (p) => ({ from: 'Src/source.md', to: p }) },
};

describe('published path patterns', () => {
  let tmp: string;
  let vault: StdioConnection;
  let email: StdioConnection;
  let vaultSchemas: Map<string, Schema>;
  let emailSchema: Schema;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'path-patterns-'));
    vault = await connectStdio(VAULT_SERVER, { VAULT_DIR: tmp });
    email = await connectStdio(EMAIL_SERVER, { VAULT_DIR: tmp });
    vaultSchemas = await schemasOf(vault);
    emailSchema = (await schemasOf(email)).get('send_email') as Schema;
  });
  afterAll(async () => {
    await vault?.close();
    await email?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const patternOf = (tool: string, property: string): string => vaultSchemas.get(tool)?.properties?.[property]?.pattern;

  it('every path argument publishes a pattern and a maxLength, one pattern per use', () => {
    const uses: [string, string, Use][] = [
      ['read_note', 'path', 'note'],
      ['list_notes', 'folder', 'folder'],
      ['search_notes', 'folder', 'folder'],
      ['write_note', 'path', 'write'],
      ['move_note', 'from', 'write'],
      ['move_note', 'to', 'move-target'],
    ];
    for (const [tool, property, use] of uses) {
      const field = vaultSchemas.get(tool)?.properties?.[property];
      expect(field, `${tool}.${property}`).toMatchObject({ type: 'string', minLength: 1, maxLength: 1024 });
      expect(field.pattern, `${tool}.${property}`).toBe(patternOf(PROBES[use].tool, PROBES[use].property));
    }
    const [bare, object] = emailSchema.properties.attachments.items.anyOf;
    expect(bare).toMatchObject({ type: 'string', maxLength: 1024, pattern: patternOf('read_note', 'path') });
    expect(object.properties.path).toMatchObject({ type: 'string', maxLength: 1024, pattern: patternOf('read_note', 'path') });
    expect(object.additionalProperties).toBe(false);
    // Four different patterns: reads, folders (may end in "/"), writes, move targets.
    expect(new Set(USES.map((use) => patternOf(PROBES[use].tool, PROBES[use].property))).size).toBe(4);
  });

  it.each(USES)('%s paths: Ajv (draft-07 and 2020-12, with and without the u flag) and RegExp agree with the table', (use) => {
    const { tool, property, args } = PROBES[use];
    const { $schema: _dialect, ...schema } = vaultSchemas.get(tool) as Schema;
    const pattern = schema.properties[property].pattern as string;
    const validators = {
      'Ajv draft-07': new Ajv({ allErrors: true, strict: false }).compile(schema),
      'Ajv draft-07 without u': new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema),
      'Ajv 2020-12': new Ajv2020({ allErrors: true, strict: false }).compile(schema),
      'RegExp u': (value: Record<string, unknown>) => String(value[property]).length <= 1024 && new RegExp(pattern, 'u').test(String(value[property])),
      RegExp: (value: Record<string, unknown>) => String(value[property]).length <= 1024 && new RegExp(pattern).test(String(value[property])),
    };
    const mismatches: string[] = [];
    for (const [name, validate] of Object.entries(validators)) {
      for (const p of EXPECTED[use].good) if (!validate(args(p))) mismatches.push(`${name} refuses good ${JSON.stringify(p)}`);
      for (const p of EXPECTED[use].bad) if (validate(args(p))) mismatches.push(`${name} accepts bad ${JSON.stringify(p)}`);
    }
    expect(mismatches).toEqual([]);
  });

  it('attachments: Ajv on send_email refuses the bad note paths, in both attachment forms', () => {
    const { $schema: _dialect, ...schema } = emailSchema;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    const base = { to: 'ann@example.com', subject: 'x' };
    const mismatches: string[] = [];
    for (const p of EXPECTED.note.good) {
      if (!validate({ ...base, attachments: [p, { path: p }] })) mismatches.push(`refuses good ${JSON.stringify(p)}`);
    }
    for (const p of EXPECTED.note.bad) {
      if (validate({ ...base, attachments: [p] }) || validate({ ...base, attachments: [{ path: p, filename: 'x.txt' }] })) {
        mismatches.push(`accepts bad ${JSON.stringify(p)}`);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('the servers refuse exactly what their schemas refuse', () => {
  let tmp: string;
  const open: StdioConnection[] = [];
  type Call = { isError?: boolean; structuredContent?: Record<string, any>; content?: { type: string; text: string }[] };

  /** A vault where every good path of the use exists (as a note, or as a folder for `folder`). */
  async function vaultFor(use: Use): Promise<string> {
    const root = path.join(tmp, use);
    await mkdir(path.join(root, 'Src'), { recursive: true });
    if (use === 'note' || use === 'folder') {
      for (const p of EXPECTED[use].good) {
        const target = path.join(root, ...p.split(/[\\/]/).filter(Boolean));
        if (use === 'folder') await mkdir(target, { recursive: true });
        else {
          await mkdir(path.dirname(target), { recursive: true });
          await writeFile(target, `text of ${p}`);
        }
      }
    }
    return root;
  }
  const call = async (conn: StdioConnection, name: string, args: Record<string, unknown>) =>
    (await conn.client.callTool({ name, arguments: args })) as Call;
  const listing = async (dir: string): Promise<string[]> =>
    (await readdir(dir, { recursive: true, withFileTypes: true })).map((e) => path.join(e.parentPath, e.name)).sort();

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'path-agreement-'));
  });
  afterAll(async () => {
    await Promise.all(open.map((conn) => conn.close()));
    await rm(tmp, { recursive: true, force: true });
  });

  it.each(USES)('%s paths: good ones work, bad ones are a validation error with nothing sent and nothing changed', async (use) => {
    const root = await vaultFor(use);
    const conn = await connectStdio(VAULT_SERVER, { VAULT_DIR: root });
    open.push(conn);
    await conn.client.listTools();
    const { tool, args } = PROBES[use];
    const problems: string[] = [];
    for (const [i, p] of EXPECTED[use].good.entries()) {
      if (use === 'move-target') await writeFile(path.join(root, 'Src/source.md'), `moved ${i}`);
      const result = await call(conn, tool, args(p));
      if (result.isError) problems.push(`refused good ${JSON.stringify(p)}: ${result.structuredContent?.message}`);
      if (use === 'note' && result.content?.[0]?.text !== `text of ${p}`) problems.push(`read ${JSON.stringify(p)} as ${result.content?.[0]?.text}`);
    }
    await writeFile(path.join(root, 'Src/source.md'), 'still here');
    const before = await listing(root);
    for (const p of EXPECTED[use].bad) {
      const result = await call(conn, tool, args(p));
      if (!result.isError) problems.push(`accepted bad ${JSON.stringify(p)}`);
      else if (result.structuredContent?.error_type !== 'validation' || result.structuredContent?.sent !== false) {
        problems.push(`bad ${JSON.stringify(p)} gave ${JSON.stringify(result.structuredContent)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(await listing(root)).toEqual(before);
  });

  it('send_email attachments: good note paths are attached, bad ones refused before any message is written', async () => {
    const root = await vaultFor('note');
    const conn = await connectStdio(EMAIL_SERVER, { VAULT_DIR: root });
    open.push(conn);
    await conn.client.listTools();
    const outbox = path.join(root, 'Outbox/Email');
    const problems: string[] = [];
    for (const p of EXPECTED.note.bad) {
      const result = await call(conn, 'send_email', { to: 'ann@example.com', subject: 'x', attachments: [{ path: p }] });
      if (!result.isError || result.structuredContent?.error_type !== 'validation' || result.structuredContent?.sent !== false) {
        problems.push(`bad ${JSON.stringify(p)} gave ${JSON.stringify(result.structuredContent)}`);
      }
    }
    expect(await readdir(outbox).catch(() => [])).toEqual([]);
    const good = EXPECTED.note.good;
    const batches = [good.slice(0, 20), good.slice(20)]; // at most 20 attachments per message
    for (const batch of batches) {
      const result = await call(conn, 'send_email', { to: 'ann@example.com', subject: 'good ones', attachments: batch });
      if (result.isError) problems.push(`refused good ones: ${result.structuredContent?.message}`);
    }
    expect(problems).toEqual([]);
    expect(await readdir(outbox)).toHaveLength(batches.length);
  });
});
