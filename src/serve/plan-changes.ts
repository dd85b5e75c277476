/**
 * Who hears that a plan changed: `wait_for_plan` calls (progress, the end) and resource subscriptions
 * (`notifications/resources/updated`, `list_changed`). Fed by the vault watch (vault-follow.ts) and,
 * inside the daemon, by its event stream (live-plans.ts).
 */
import type { PlanEvent } from '../events/plan-event.js';

export type PlanChange =
  /** The plan with this id changed: its file, its folder, or (with `event`) its run. */
  | { readonly kind: 'plan'; readonly id: string; readonly event?: PlanEvent }
  /** Plans appeared or went: the resource list changed. */
  | { readonly kind: 'list' }
  /** An agent reported (update_status): the dashboard changed. */
  | { readonly kind: 'agent' };

export type PlanChangeListener = (change: PlanChange) => void;

export class PlanChanges {
  private listeners: readonly PlanChangeListener[] = [];

  /** Returns the unsubscribe. */
  on(listener: PlanChangeListener): () => void {
    this.listeners = [...this.listeners, listener];
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  emit(change: PlanChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A listener's trouble (a closed connection) is its own: the others still hear the change.
      }
    }
  }
}
