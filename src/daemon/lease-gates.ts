/**
 * Where the leases gate the daemon's other parts (SPEC §12): the fence, the event stream's first
 * subscriber, refuses every event of a plan whose lease this node does not hold, so nothing hears it
 * (no record, no plan-file write, no call, no move); and the intake's reservations, which take a file's
 * bytes in the database before the file is moved.
 */
import type { ClusterLeases } from '../cluster/leases.js';
import type { Subscriber } from '../events/event-stream.js';
import { LeaseLostError } from '../journal/errors.js';
import type { CrashHook } from './crash-points.js';
import type { IntakeOptions } from './intake.js';

/** Refuses the events of plans this node does not hold; a `claimed` event is how a lease is taken. */
export function leaseFence(leases: Pick<ClusterLeases, 'holds'>): Subscriber {
  return (event) => {
    if (event.type !== 'claimed' && !leases.holds(event.plan.approval)) throw new LeaseLostError(event.plan.approval, 'not held by this node');
  };
}

/**
 * The intake's side of the leases: a file in Approved/ is reserved by its bytes before it is moved
 * (cluster/pg-deliveries.ts); its lease is given back with its bytes when the move then finds it gone,
 * and let go (its bytes kept) when the claim fails after the move.
 */
export function reservations(leases: Pick<ClusterLeases, 'reserve' | 'release' | 'settle'>, crash: CrashHook): Pick<IntakeOptions, 'reserve' | 'release' | 'letGo'> {
  return {
    async reserve(approval, delivery) {
      const reserved = await leases.reserve(approval, delivery);
      if (reserved.kind === 'reserved') crash('after_reserve');
      return reserved;
    },
    release: (approval) => leases.release(approval),
    letGo: (approval) => leases.settle(approval, false),
  };
}
