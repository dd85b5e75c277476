import { createHash } from 'node:crypto';
import type { Plan } from './types.js';

/**
 * JSON with object keys sorted at every level, so equal content always hashes equally whatever the
 * key order in the file. Hand-written: a dozen lines, and no canonical-JSON package is installed.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const keys = Object.keys(value).sort();
  const body = keys
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${body.join(',')}}`;
}

/** First 12 hex digits of sha256 over the canonical JSON of {server, tool, args}. */
export function contentHash(server: string, tool: string, args: unknown): string {
  return createHash('sha256').update(canonicalJson({ server, tool, args })).digest('hex').slice(0, 12);
}

/**
 * What a human approved, as one hash: the plan's policy fields and every step's definition (action or
 * tool, arguments, dependencies, budgets), but not what the daemon itself writes into the file (status
 * fields, ticks, the Execution Log) nor the body's prose. A plan whose hash changed between its claim
 * and a later run (a restart, a deferral) was edited after approval.
 */
export function planDefinitionHash(plan: Plan): string {
  const steps = plan.steps.map((step) =>
    step.kind === 'manual'
      ? { kind: step.kind, index: step.index, text: step.text }
      : {
          kind: step.kind,
          index: step.index,
          id: step.id,
          action: step.action,
          server: step.server,
          tool: step.tool,
          args: step.args,
          dependsOn: step.dependsOn,
          timeoutMs: step.timeoutMs,
          retries: step.retries,
          idempotencyKey: step.idempotencyKey,
        },
  );
  const policy = { id: plan.id, mode: plan.mode, expires: plan.expires, approvedActions: plan.approvedActions };
  return createHash('sha256').update(canonicalJson({ policy, steps })).digest('hex');
}
