/**
 * Delivers plan events to their subscribers, in subscription order, one event at a time per emitter.
 *
 * A subscriber that returns a promise is awaited before the next one hears the event and before
 * `emit` resolves: that is how the journal makes a record durable exactly where the durability rule
 * asks (an intent before its call, an outcome before the next step) and how the plan file has its
 * final status before the move. Its rejection rejects `emit`: the run stops. Sinks that must never stop
 * a run (logs, metrics, the dashboard) are wrapped with `bestEffort`.
 */
import type { Clock } from '../core/clock.js';
import { maskKnown } from '../core/sanitize.js';
import type { PlanEvent, PlanEventDraft, PlanRef } from './plan-event.js';

export type Subscriber = (event: PlanEvent) => void | Promise<void>;

export class EventStream {
  private subscribers: readonly Subscriber[] = [];

  /**
   * `masked`: the configuration's environment values (config envValues). Every event is masked once,
   * here, before any subscriber sees it, so none reaches the journal, the plan file, the logs or the
   * vault audit under any key (SPEC §8). The calls themselves are made with the real values: events are
   * told about a call, they do not carry it.
   */
  constructor(private readonly masked: readonly string[] = []) {}

  /** Adds a subscriber after the existing ones; returns its unsubscribe. */
  subscribe(subscriber: Subscriber): () => void {
    this.subscribers = [...this.subscribers, subscriber];
    return () => {
      this.subscribers = this.subscribers.filter((s) => s !== subscriber);
    };
  }

  async emit(event: PlanEvent): Promise<void> {
    const told = maskKnown(event, this.masked);
    for (const subscriber of this.subscribers) {
      const pending = subscriber(told);
      if (pending) await pending;
    }
  }

  /** An emitter for one plan: it stamps each event with the plan and the clock's time. */
  for(plan: PlanRef, clock: Clock): PlanEmitter {
    return { plan, emit: (draft) => this.emit({ ...draft, plan, at: clock.now() } as PlanEvent) };
  }
}

export interface PlanEmitter {
  readonly plan: PlanRef;
  emit(draft: PlanEventDraft): Promise<void>;
}

/**
 * A subscriber that is never waited for and whose failures are reported and swallowed: a log line or a
 * gauge never delays or stops a plan.
 */
export function bestEffort(subscriber: Subscriber, onError: (error: unknown) => void): Subscriber {
  return (event) => {
    try {
      void subscriber(event)?.catch(onError);
    } catch (error) {
      onError(error);
    }
  };
}
