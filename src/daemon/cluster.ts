/**
 * The daemon's side of several hosts (SPEC §12), wired only when `cluster` is configured. The leases
 * live in the PostgreSQL store (cluster/pg-store.ts); here they are kept alive and acted on:
 * - (the fence and the intake's reservations are in lease-gates.ts);
 * - the heartbeat, every third of `leaseMs`: renews every lease held; a lease found lost, or one whose
 *   deadline passed while the database could not be reached, is dropped by the runner at once;
 * - the takeover, every half `leaseMs` (at most a second apart) and at start: an expired lease (a node killed, paused, cut off)
 *   is taken with a new fencing token, the plan's records are read from the database into the book,
 *   and the plan resumes under the start-up recovery rules (an unknown outcome of a step that is not
 *   idempotent goes to Needs_Review/; it is never sent again);
 * - at settle: a finished plan's lease is deleted, any other is handed over at once;
 * - about once a lease, a file in In_Progress/ that no node holds is adopted (cluster-orphans.ts).
 */
import type { AuditLog } from '../audit/types.js';
import type { ClusterLeases } from '../cluster/leases.js';
import { messageOf } from '../core/text.js';
import type { ResolvedStep } from '../plan/validated.js';
import { exists } from '../vault/fs.js';
import type { ApprovalBook } from './approvals.js';
import { adoptOrphans } from './cluster-orphans.js';
import { HandedCopies } from './handed-copy.js';
import { inProgressPath } from './lifecycle.js';
import { FileNotices } from './notices.js';
import { approvalOf, resumeOne, type RecoveryOptions } from './recover.js';
import type { PlanRunner } from './runner.js';

interface ClusterLinkOptions {
  readonly leases: ClusterLeases;
  readonly recovery: RecoveryOptions;
  readonly book: ApprovalBook;
  readonly runner: PlanRunner;
  readonly audit: AuditLog;
  /** How many expired leases one takeover takes at most. */
  readonly takeOverAtOnce: number;
}

export class ClusterLink {
  private heartbeat: NodeJS.Timeout | undefined;
  private takeovers: NodeJS.Timeout | undefined;
  private taking: Promise<void> | undefined;
  private beating = false;
  private unreachable = false;
  private orphansLookedAt = -Infinity;
  /** Plans to be handed over, when they settle, to a node with this server (placement.ts). */
  private readonly wanted = new Map<string, string>();
  /** Leases being let go or handed over (settled). */
  private readonly settling = new Set<Promise<void>>();
  /** Orphan copies already said to be left alone (while they stay in In_Progress/). */
  private readonly noticed = new FileNotices();

  private readonly copies: HandedCopies;

  constructor(private readonly options: ClusterLinkOptions) {
    this.copies = new HandedCopies({ vault: options.recovery.config.vault, leaseMs: options.leases.leaseMs, now: () => options.recovery.clock.monotonicMs() });
  }

  /** Takes back what an earlier process of this node held, and anything expired, then keeps at it. */
  async start(): Promise<void> {
    const { leaseMs } = this.options.leases;
    this.heartbeat = setInterval(() => void this.beat(), Math.max(50, Math.floor(leaseMs / 3)));
    await this.takeOver(true);
    // At most a second apart, so a plan handed over at a graceful stop is taken up at once, not after half a lease.
    this.takeovers = setInterval(() => void this.takeOver(false), Math.max(50, Math.min(1_000, Math.floor(leaseMs / 2))));
  }

  /**
   * A plan settled here (runner): its lease ends, or goes to a node with the server it needs next,
   * naming the plan file as this node last wrote it (handed-copy.ts).
   */
  settled(approval: string): Promise<void> {
    const state = this.options.book.get(approval);
    const finished = state?.finalized !== undefined;
    const server = this.wanted.get(approval);
    this.wanted.delete(approval);
    const handOff = async () => {
      if (server === undefined) return undefined;
      const fileHash = state ? await this.copies.hashOf(state.name) : undefined;
      return { server, from: this.options.leases.node, ...(fileHash !== undefined ? { fileHash } : {}) };
    };
    // Kept until done, so a stop waits for it: a hand-over cut short would lose its marks (server, file).
    const work = handOff()
      .then((handing) => this.options.leases.settle(approval, finished, handing))
      .catch((error: unknown) => this.alert(error))
      .finally(() => this.settling.delete(work));
    this.settling.add(work);
    return work;
  }

  /**
   * The plan's next step needs `server`, on another node: its lease goes there when it settles. With no
   * live node that has it, it waits in In_Progress/ (an ALERT says so) until one starts.
   */
  handOff(approval: string, server: string, step: ResolvedStep): void {
    this.wanted.set(approval, server);
    const { leases, audit, book } = this.options;
    const plan = book.get(approval);
    const where = { ...(plan?.plan !== undefined ? { plan: plan.plan } : {}), ...(plan ? { file: plan.name } : {}) };
    void leases
      .nodes()
      .then((nodes) => {
        if (nodes.some((node) => node.live && node.servers.includes(server))) return;
        audit.record({
          event: 'ALERT',
          ...where,
          message: `step ${step.index} needs server ${server}, and no live node has it: the plan waits in In_Progress/ until a node that starts ${server} takes it over`,
        });
      })
      .catch((error: unknown) => this.alert(error));
  }

  /** A claim of an approval in Approved/: what other nodes recorded of it first. */
  async refresh(approval: string): Promise<void> {
    this.options.book.replace(approval, await this.options.leases.recordsOf(approval));
  }

  /** No more takeovers (the daemon is stopping); the heartbeat goes on for the calls finishing. */
  stopTakingOver(): void {
    clearInterval(this.takeovers);
    this.takeovers = undefined;
  }

  async stop(): Promise<void> {
    this.stopTakingOver();
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.taking?.catch(() => undefined);
    await Promise.all([...this.settling]);
  }

  private async beat(): Promise<void> {
    const { leases, runner, audit } = this.options;
    this.dropExpired();
    // A renewal still under way (a database that does not answer): the deadlines above are what count.
    if (this.beating) return;
    this.beating = true;
    try {
      const lost = await leases.renew();
      for (const approval of lost) runner.drop(approval, `its lease was lost (not renewed within ${leases.leaseMs} ms); another node may run it now`);
      if (this.unreachable) audit.record({ event: 'ALERT', status: 'resolved', message: 'the cluster database is reachable again' });
      this.unreachable = false;
    } catch (error) {
      this.alert(error);
    } finally {
      this.beating = false;
    }
    this.dropExpired();
  }

  /** A lease whose local deadline passed (the database unreachable, or slow to answer) is given up, whatever the database says. */
  private dropExpired(): void {
    const { leases, runner } = this.options;
    for (const approval of runner.activeApprovals()) {
      if (!leases.holds(approval)) runner.drop(approval, `its lease ran out (${leases.leaseMs} ms) before it could be renewed`);
    }
  }

  private takeOver(atStart: boolean): Promise<void> {
    this.taking ??= this.takeOverOnce(atStart)
      .catch((error: unknown) => this.alert(error))
      .finally(() => {
        this.taking = undefined;
      });
    return this.taking;
  }

  private async takeOverOnce(atStart: boolean): Promise<void> {
    const { leases, book, runner, audit, recovery } = this.options;
    for (const taken of await leases.takeOver(this.options.takeOverAtOnce, atStart)) {
      const { claim, records } = taken;
      // Still being let go here (its run has not noticed yet): handed back, taken at the next round.
      if (runner.isActive(claim)) {
        await leases.settle(claim, false);
        continue;
      }
      book.replace(claim, records);
      const state = book.get(claim);
      if (state === undefined || !(await ownFile(recovery, book, state.name, claim))) {
        // Moved into its final folder (or out by a human) before its node settled the lease; a file of
        // that name now is another approval's.
        await leases.settle(claim, true);
        continue;
      }
      const copy = await this.copies.verdict(claim, state.name, taken.handOff);
      if (copy === 'wait' || copy === 'waiting') {
        if (copy === 'wait') {
          audit.record({ event: 'AUDIT', plan: state.plan, file: state.name, message: `waits for this node's copy of ${state.name} to be the file node ${taken.handOff?.from ?? 'another node'} handed over (the sync client has not delivered it yet)` });
        }
        // Given back as it was handed over; taken again at the next round, once the copy may have arrived.
        await leases.settle(claim, false, taken.handOff);
        continue;
      }
      if (copy === 'late') {
        audit.record({ event: 'AUDIT', plan: state.plan, file: state.name, message: `this node's copy of ${state.name} is still not the file node ${taken.handOff?.from ?? 'another node'} handed over after a lease; going on with it` });
      }
      const why = taken.handOff
        ? `handed over by node ${taken.handOff.from} for its next step on server ${taken.handOff.server}`
        : 'the node that held it stopped renewing its lease';
      audit.record({ event: 'AUDIT', plan: state.plan, file: state.name, message: `taken over by node ${leases.node}: ${why}` });
      await resumeOne(recovery, book, runner, state.name, { id: claim, stampable: false }, state);
    }
    // Files no node holds a lease for: looked for about once a lease.
    const now = recovery.clock.monotonicMs();
    if (now - this.orphansLookedAt < leases.leaseMs) return;
    this.orphansLookedAt = now;
    await adoptOrphans({ leases, recovery, book, runner, noticed: this.noticed });
  }

  private alert(error: unknown): void {
    if (this.unreachable) return;
    this.unreachable = true;
    this.options.audit.record({
      event: 'ALERT',
      status: 'open',
      message: `the cluster database cannot be reached (${messageOf(error)}); plans stop before their next step once their lease runs out`,
    });
  }
}

/**
 * Is In_Progress/<name> still this approval's file? Not when it is gone or stamped with another approval.
 * One that cannot be read, or carries no stamp (it cannot take one), is assumed so: its recovery decides.
 */
async function ownFile(recovery: RecoveryOptions, book: ApprovalBook, name: string, approval: string): Promise<boolean> {
  if (!(await exists(inProgressPath(recovery.config.vault, name)).catch(() => true))) return false;
  const found = await approvalOf(book, recovery.config.vault, name).catch(() => undefined);
  return found === undefined || found.id === approval || found.id.startsWith('new:');
}
