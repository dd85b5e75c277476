/**
 * Waiting for a plan: every change to it (its file, its folder, the daemon's events) is a reason to
 * look again; each step newly finished is one `notifications/progress` (when the caller gave a
 * progress token); the wait ends when the plan is final, the time is up, or the caller cancels.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { ServeContext } from '../context.js';
import { planState, type PlanState } from '../plan-state.js';
import { finishedSteps } from '../plan-view.js';

export interface WaitResult {
  readonly state: PlanState;
  readonly timedOut: boolean;
  readonly waitedMs: number;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

export async function waitForPlan(ctx: ServeContext, id: string, timeoutMs: number, extra: Extra): Promise<WaitResult> {
  const started = ctx.clock.monotonicMs();
  const waited = (): number => Math.round(ctx.clock.monotonicMs() - started);
  const token = extra._meta?.progressToken;
  let state = (await planState(ctx, id)) as PlanState;
  const reported = new Set(finishedSteps(state.steps).map((step) => step.index));
  if (state.final) return { state, timedOut: false, waitedMs: waited() };

  return new Promise<WaitResult>((resolve) => {
    let over = false;
    let looking: Promise<void> | undefined;
    let again = false;
    const progress = async (next: PlanState): Promise<void> => {
      if (token === undefined) return;
      const total = next.steps.filter((step) => step.outcome !== 'manual').length;
      for (const step of finishedSteps(next.steps)) {
        if (reported.has(step.index)) continue;
        reported.add(step.index);
        const what = step.server && step.tool ? `${step.server}.${step.tool}` : step.text;
        const detail = step.result ?? step.error;
        await extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress: reported.size, total, message: `step ${step.index} ${what}: ${step.outcome}${detail ? ` — ${detail}` : ''}` },
          })
          .catch(() => undefined);
      }
    };
    const look = (): void => {
      if (over) return;
      if (looking) {
        again = true;
        return;
      }
      looking = (async () => {
        do {
          again = false;
          const next = await planState(ctx, id).catch(() => undefined);
          if (!next) continue; // between two folders for a moment
          state = next;
          await progress(next);
          if (next.final) return finish(false);
        } while (again && !over);
      })().finally(() => {
        looking = undefined;
      });
    };
    const finish = (timedOut: boolean): void => {
      if (over) return;
      over = true;
      off();
      clearTimeout(timer);
      extra.signal.removeEventListener('abort', onAbort);
      resolve({ state, timedOut, waitedMs: waited() });
    };
    const onAbort = (): void => finish(true);
    const off = ctx.changes.on((change) => {
      if (change.kind === 'plan' && change.id === id) look();
    });
    const timer = setTimeout(() => finish(true), timeoutMs);
    extra.signal.addEventListener('abort', onAbort, { once: true });
    look(); // it may have changed between the first look and the subscription
  });
}
