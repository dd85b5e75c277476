/**
 * Placement per step (SPEC §12): a step runs only on a node that has its server. When the next step's
 * server is on other nodes, the run stops before it (execute-plan.ts `here`), the owner writes the
 * hand-off into the plan file (a `released` event) and lets the lease go marked with the server it
 * needs; a node that has that server takes it over and resumes it like any takeover (cluster.ts),
 * its succeeded steps carried from the journal in PostgreSQL, their results feeding its templates.
 * A server no live node has is not a failure: the plan waits in In_Progress/, with an ALERT, until
 * such a node starts.
 */
import type { Config } from '../config/schema.js';
import type { ResolvedStep } from '../plan/validated.js';
import { elsewhereOf } from '../run/run-plan.js';
import type { ActivePlan } from './active-plans.js';
import type { Job } from './job.js';
import type { Settler } from './settle.js';

interface PlacementOptions {
  readonly config: Pick<Config, 'mcpServers'>;
  /** This node's name. */
  readonly node: string;
  readonly settler: Settler;
  /** Just before a hand-off is written (the crash tests stop a node there). */
  readonly beforeHandOff?: () => void;
  /** The lease is to go to a node with `server` when the plan settles (cluster.ts). */
  readonly handOff: (approval: string, server: string, step: ResolvedStep) => void;
}

export class Placement {
  constructor(private readonly options: PlacementOptions) {}

  /** Can `step` run here? When not, the plan is marked to be handed over for its server. */
  here(step: ResolvedStep, control: ActivePlan): boolean {
    if (elsewhereOf(this.options.config, step.server) === undefined) return true;
    control.handOff ??= step;
    return false;
  }

  /** The run stopped before a step of another node: the owner writes it down and lets the lease go that way. */
  async handOver(job: Job, step: ResolvedStep): Promise<void> {
    this.options.beforeHandOff?.();
    const nodes = (elsewhereOf(this.options.config, step.server) ?? []).join(', ');
    const reason = `step ${step.index} ${step.server}.${step.tool}: server ${step.server} runs on node ${nodes}, so node ${this.options.node} hands the plan over`;
    await this.options.settler.release(job, reason, undefined, true);
    this.options.handOff(job.ref.approval, step.server, step);
  }
}
