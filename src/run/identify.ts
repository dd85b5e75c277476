/**
 * Who a plan is, from its bytes: the id and approver every event names it by, and a hash of what was
 * approved (the plan's definition, or its bytes when it cannot be parsed). Pure.
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/schema.js';
import type { PlanRef } from '../events/plan-event.js';
import { planDefinitionHash } from '../plan/canonical.js';
import { parsePlan } from '../plan/parse.js';
import { defaultId } from '../plan/plan-fields.js';

export interface IdentifiedPlan {
  readonly ref: PlanRef;
  readonly hash: string;
}

/** Definition hashes are marked, so a journal from before they existed is not read as "edited". */
const DEFINITION_HASH_PREFIX = 'def:';

/** `approval`: the daemon's approval of it; `run` has none and passes the plan's own stamp or id. */
export function identifyPlan(bytes: Uint8Array, claim: string, actions: Config['actions'], approval?: string): IdentifiedPlan {
  const parsed = parsePlan(bytes, claim, actions);
  if (!parsed.ok) return { ref: { claim, approval: approval ?? defaultId(claim), id: defaultId(claim) }, hash: sha256(bytes) };
  const { plan } = parsed;
  return {
    ref: {
      claim,
      approval: approval ?? plan.approvalId ?? plan.id,
      id: plan.id,
      ...(plan.approvedBy !== undefined ? { approvedBy: plan.approvedBy } : {}),
    },
    hash: `${DEFINITION_HASH_PREFIX}${planDefinitionHash(plan)}`,
  };
}

/** The definition hash a run must find again; undefined when the claim pinned bytes (older journals). */
export function definitionHashOf(hash: string | undefined): string | undefined {
  return hash?.startsWith(DEFINITION_HASH_PREFIX) ? hash.slice(DEFINITION_HASH_PREFIX.length) : undefined;
}

/** Hex SHA-256 of text (as UTF-8) or bytes: pins the exact content of a claimed plan. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
