/**
 * email-server: an MCP server over stdio with one tool, send_email (SPEC §10). SMTP when `SMTP_URL` is set
 * (smtp:// or smtps://, credentials in the URL, `SMTP_FROM` for the sender), otherwise RFC 5322 `.eml` files
 * in `<VAULT_DIR>/Outbox/Email/`. Idempotency keys are kept in `$MCP_STATE_DIR/email-ledger.jsonl`.
 * Run: `VAULT_DIR=./vault node dist/mcp_servers/email/server.js`
 */
import { mkdir, realpath } from 'node:fs/promises';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { serveStdio } from '../shared/serve-stdio.js';
import { vaultRootFromEnv } from '../shared/vault-path.js';
import { stateDirFromEnv } from '../shared/env.js';
import { deliveryFromEnv, senderFromEnv } from './config.js';
import { keyedLock } from './keyed-lock.js';
import { fileLedger } from './ledger.js';
import { registerSendEmail } from './send-tool.js';

await serveStdio('email-server', async () => {
  const env = process.env;
  const configured = vaultRootFromEnv(env);
  await mkdir(configured, { recursive: true });
  const root = await realpath(configured);
  const configuredState = stateDirFromEnv(env, root);
  const stateDir = await realpath(configuredState).catch(() => configuredState);
  const delivery = deliveryFromEnv(env);
  const from = senderFromEnv(env);
  const server = new McpServer({ name: 'email-server', version: '0.1.0' });
  registerSendEmail(server, {
    root,
    stateDir,
    from,
    delivery,
    ledger: fileLedger(stateDir),
    lock: keyedLock(),
    now: () => new Date(),
    warn: (line) => process.stderr.write(`${line}\n`),
  });
  const where = delivery.kind === 'smtp' ? `SMTP at ${delivery.options.host}:${delivery.options.port ?? 'default port'}` : 'the vault outbox';
  process.stderr.write(`email-server: delivering via ${where}\n`);
  return server;
});
