/**
 * Test helper: plan events as the run emits them (src/events/plan-event.ts), for the sinks' unit tests.
 * Each builder fills what a test does not care about with plain values.
 */
import { StepError, type ErrorType } from '../../src/core/errors.js';
import type { PlanEvent, PlanRef } from '../../src/events/plan-event.js';
import type { FinalOutcome } from '../../src/events/plan-outcome.js';
import type { ResolvedStep } from '../../src/plan/validated.js';
import type { FinalFolder } from '../../src/vault/folders.js';

export function resolvedStep(overrides: Partial<ResolvedStep> = {}): ResolvedStep {
  return {
    index: 1,
    id: 'step1',
    text: 'send it',
    server: 'email-server',
    tool: 'send_email',
    args: {},
    dependsOn: [],
    timeoutMs: 1000,
    retries: 3,
    idempotent: false,
    idempotencyKey: 'plan:1:abc',
    acceptsIdempotencyKey: false,
    ...overrides,
  };
}

export function planRef(id: string, approvedBy?: string): PlanRef {
  return { claim: `${id}.md`, approval: `a-${id}`, id, ...(approvedBy !== undefined ? { approvedBy } : {}) };
}

export interface AttemptSpec {
  readonly plan: PlanRef;
  readonly step: ResolvedStep;
  readonly attempt: number;
  readonly args?: Record<string, unknown>;
  readonly durationMs?: number;
  readonly at?: Date;
}

export function attemptSucceeded(spec: AttemptSpec & { readonly text?: string }): PlanEvent {
  return {
    type: 'attempt_ended',
    plan: spec.plan,
    at: spec.at ?? new Date(),
    step: spec.step,
    attempt: spec.attempt,
    args: spec.args ?? {},
    durationMs: spec.durationMs ?? 1,
    result: { ok: true, result: { text: spec.text ?? 'ok' } },
    retrying: false,
  };
}

export function attemptFailed(spec: AttemptSpec & { readonly type: ErrorType; readonly message?: string; readonly retrying: boolean }): PlanEvent {
  return {
    type: 'attempt_ended',
    plan: spec.plan,
    at: spec.at ?? new Date(),
    step: spec.step,
    attempt: spec.attempt,
    args: spec.args ?? {},
    durationMs: spec.durationMs ?? 1,
    result: { ok: false, error: new StepError(spec.type, spec.message ?? spec.type, false) },
    retrying: spec.retrying,
  };
}

export function claimed(plan: PlanRef, at = new Date()): PlanEvent {
  return { type: 'claimed', plan, at, from: plan.claim, hash: 'h' };
}

export function planEnded(plan: PlanRef, outcome: FinalOutcome, folder?: FinalFolder, at = new Date()): PlanEvent {
  return { type: 'plan_ended', plan, at, outcome, ...(folder ? { folder } : {}) };
}

export function planMoved(plan: PlanRef, folder: FinalFolder, at = new Date()): PlanEvent {
  return { type: 'plan_moved', plan, at, folder, path: `${folder}/${plan.claim}` };
}

export function deferred(plan: PlanRef, retryAt: Date, at = new Date()): PlanEvent {
  return { type: 'deferred', plan, at, retryAt, reason: 'rate_limit: slow down' };
}
