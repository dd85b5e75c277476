import { ActionSchema, ExecutionSchema, ServerSchema, type Config } from '../../../src/config/schema.js';
import { parsePlan } from '../../../src/plan/parse.js';
import { createSchemaChecker } from '../../../src/plan/schema-check.js';
import type { Plan } from '../../../src/plan/types.js';
import type { ToolCatalog, ToolInfo } from '../../../src/plan/validated.js';
import type { ValidateContext } from '../../../src/plan/validate.js';

export const FILE = 'Approved/plan.md';
export const NOW = new Date('2026-02-16T12:00:00Z');

export const actions: Config['actions'] = {
  send_email: ActionSchema.parse({ server: 'email-server', tool: 'send_email', keywords: ['send email', 'email to'] }),
  ask_model: ActionSchema.parse({ server: 'model-router', tool: 'ask_model', keywords: ['draft', 'ask the model'], idempotent: true, retries: 1, timeoutMs: 60_000 }),
  write_vault: ActionSchema.parse({ server: 'vault-watcher', tool: 'write_note', keywords: ['save a copy', 'write note'], idempotent: true, defaults: { mode: 'create' } }),
  read_vault: ActionSchema.parse({ server: 'vault-watcher', tool: 'read_note', keywords: ['read note'], idempotent: true }),
  post_linkedin: ActionSchema.parse({ server: 'linkedin-server', tool: 'create_post', keywords: ['post on linkedin', 'linkedin post'] }),
};

export const servers: Config['mcpServers'] = {
  'email-server': ServerSchema.parse({ command: 'node', args: ['email.js'], timeoutMs: 20_000 }),
  'model-router': ServerSchema.parse({ command: 'node', args: ['router.js'] }),
  'vault-watcher': ServerSchema.parse({ command: 'node', args: ['vault.js'] }),
  'linkedin-server': ServerSchema.parse({ command: 'node', args: ['linkedin.js'], enabled: false }),
  remote: ServerSchema.parse({ type: 'http', url: 'http://127.0.0.1:8080/mcp' }),
};

export const execution = ExecutionSchema.parse({});

const obj = (properties: Record<string, unknown>, required: string[] = []): Record<string, unknown> => ({
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

export const tools: Record<string, ToolInfo[]> = {
  'email-server': [
    {
      name: 'send_email',
      inputSchema: obj(
        {
          to: { type: 'string', format: 'email' },
          subject: { type: 'string', minLength: 1 },
          body: { type: 'string' },
          cc: { type: 'array', items: { type: 'string', format: 'email' } },
          idempotency_key: { type: 'string' },
        },
        ['to', 'subject'],
      ),
      annotations: { idempotentHint: false },
    },
  ],
  'model-router': [
    { name: 'ask_model', inputSchema: obj({ model: { type: 'string' }, prompt: { type: 'string' }, max_tokens: { type: 'integer' } }, ['prompt']) },
  ],
  'vault-watcher': [
    {
      name: 'write_note',
      inputSchema: obj({ path: { type: 'string' }, content: { type: 'string' }, mode: { enum: ['create', 'overwrite', 'append'] } }, ['path', 'content']),
    },
    { name: 'read_note', inputSchema: obj({ path: { type: 'string' } }, ['path']), annotations: { idempotentHint: true, readOnlyHint: true } },
    // A 2020-12 schema, as zod 4 can emit.
    {
      name: 'list_notes',
      inputSchema: { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', properties: { folder: { type: 'string' } } },
      annotations: { idempotentHint: true },
    },
  ],
};

export function catalog(overrides: Record<string, ToolInfo[] | string> = {}): ToolCatalog {
  const all: Record<string, ToolInfo[] | string> = { ...tools, ...overrides };
  return new Map(
    Object.entries(all).map(([server, list]) => [
      server,
      typeof list === 'string' ? { ok: false as const, error: list } : { ok: true as const, tools: new Map(list.map((t) => [t.name, t])) },
    ]),
  );
}

/** Shared across tests, as the daemon would share it: compiled schemas are reused. */
export const schemaChecker = createSchemaChecker();

export function ctx(overrides: Partial<ValidateContext> = {}): ValidateContext {
  return { actions, servers, execution, tools: catalog(), now: NOW, schemaChecker, ...overrides };
}

/** Parses and insists on success, so validation tests start from a real plan. */
export function parsed(text: string, file = FILE): Plan {
  const result = parsePlan(text, file, actions);
  if (!result.ok) throw new Error(`parse failed: ${JSON.stringify(result.problems)}`);
  return result.plan;
}

/** Dedent a template literal so test plans read naturally. */
export function md(strings: TemplateStringsArray, ...values: unknown[]): string {
  const raw = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ''), '');
  const lines = raw.replace(/^\n/, '').split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim() !== '').map((l) => /^ */.exec(l)![0].length));
  return lines.map((l) => l.slice(indent)).join('\n');
}
