/**
 * A plan handed from node to node (placement per step) when each node has its own synced copy of the
 * vault (SPEC §12): the node letting it go names the plan file as it last wrote it (a hash), and the
 * node taking it over goes on only once its own copy is that file. Otherwise both nodes would change
 * their copies before the sync client saw the first change, and it would keep one and make a conflict
 * copy of the other. A copy that never becomes the one handed over (a human edited it meanwhile, a sync
 * client that rewrites files) is waited for about a lease, then the run goes on with it.
 */
import { readFile } from 'node:fs/promises';
import type { HandOff } from '../cluster/leases.js';
import { sha256 } from '../run/identify.js';
import { inProgressPath } from './lifecycle.js';

/** `wait`: the first look that found the copy stale (said once); `waiting`: the looks after it. */
type CopyVerdict = 'ready' | 'wait' | 'waiting' | 'late';

export class HandedCopies {
  /** Since when (monotonic ms) each hand-over (approval and the file it named) has been waited for. */
  private readonly waitingSince = new Map<string, number>();

  constructor(private readonly options: { readonly vault: string; readonly leaseMs: number; readonly now: () => number }) {}

  /** The hash a hand-over names: this node's copy as it is now (undefined when unreadable). */
  async hashOf(name: string): Promise<string | undefined> {
    return readFile(inProgressPath(this.options.vault, name)).then(sha256, () => undefined);
  }

  /** Is this node's copy the file handed over? `wait`/`waiting`: give the lease back and look again soon. */
  async verdict(approval: string, name: string, handOff: HandOff | undefined): Promise<CopyVerdict> {
    const now = this.options.now();
    // A wait another node ended (it took the hand-over itself) is not this one's: forgotten after two leases.
    for (const [key, since] of this.waitingSince) if (now - since > 2 * this.options.leaseMs) this.waitingSince.delete(key);
    if (handOff?.fileHash === undefined) return 'ready';
    const key = `${approval} ${handOff.fileHash}`;
    if ((await this.hashOf(name)) === handOff.fileHash) {
      this.waitingSince.delete(key);
      return 'ready';
    }
    const since = this.waitingSince.get(key);
    if (since === undefined) {
      this.waitingSince.set(key, now);
      return 'wait';
    }
    if (now - since < this.options.leaseMs) return 'waiting';
    this.waitingSince.delete(key);
    return 'late';
  }
}
