/**
 * What every session of the orchestrator's MCP server shares in one process: the configuration, the
 * tool catalog, the plans in the vault and who hears their changes, the submission limit, the agents'
 * recent reports, and the link to the daemon (hosted in it, or beside it). Opened once, closed once.
 */
import type { AuditLog } from '../audit/types.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { DaemonControl } from '../daemon/daemon.js';
import type { Subscriber } from '../events/event-stream.js';
import type { McpPool } from '../mcp/pool.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { ensureVaultFolders } from '../vault/folders.js';
import { openClusterPlans, type ClusterPlans } from './cluster-plan.js';
import { hostedLink, vaultLink, type DaemonLink } from './daemon-link.js';
import { LivePlans } from './live-plans.js';
import { PlanChanges } from './plan-changes.js';
import { PlanIndex } from './plan-index.js';
import { SubmissionLimiter } from './token-bucket.js';
import { followVault } from './vault-follow.js';

export interface AgentReport {
  readonly at: string;
  readonly agent: string;
  readonly phase: string;
  readonly status: string;
  readonly message: string;
  readonly plan?: string;
}

export interface ServeDeps {
  readonly config: Config;
  readonly clock: Clock;
  readonly pool: McpPool;
  readonly schemaChecker: SchemaChecker;
  readonly audit: AuditLog;
  /** Periodic re-read of the vault's plan folders. */
  readonly rescanMs?: number;
}

export interface ServeContext extends Omit<ServeDeps, 'rescanMs'> {
  readonly index: PlanIndex;
  readonly changes: PlanChanges;
  /** Inside the daemon only: its plans as its events tell them. */
  readonly live?: LivePlans;
  /** With `cluster`: the plans every node runs, from the database (who owns each, its steps so far). */
  readonly cluster?: ClusterPlans;
  readonly daemon: DaemonLink;
  readonly submissions: SubmissionLimiter;
  /** Newest last, bounded: shown on the dashboard resource. */
  readonly agents: AgentReport[];
  /** Looks at the vault now (after a write of our own, so answers are current). */
  look(): Promise<void>;
  close(): Promise<void>;
}

/** Inside the daemon: how to hear its event stream, and its controls (both exist once it runs). */
export interface HostingDaemon {
  /** Subscribes the server's live view to the daemon's event stream. */
  readonly listen: (subscriber: Subscriber) => void;
  readonly control: () => DaemonControl | undefined;
}

export const MAX_AGENT_REPORTS = 50;

export async function openServeContext(deps: ServeDeps, hosting?: HostingDaemon): Promise<ServeContext> {
  const { config } = deps;
  await ensureVaultFolders(config.vault);
  const index = new PlanIndex(config.vault);
  const changes = new PlanChanges();
  const follow = await followVault({
    vault: config.vault,
    index,
    changes,
    intervalMs: deps.rescanMs ?? 1_000,
    onError: (message) => deps.audit.record({ event: 'ALERT', message: `mcp server: ${message}` }),
  });
  // The daemon's stream starts only once the server is up, so no event comes before this subscriber.
  const live = hosting
    ? new LivePlans(
        (event) => {
          changes.emit({ kind: 'plan', id: event.plan.id, event });
          // The file moved: the index must know where it is before anyone asks.
          if (event.type === 'plan_moved' || event.type === 'claimed') void follow.look();
        },
        (plan) => changes.emit({ kind: 'plan', id: plan.id }),
      )
    : undefined;
  if (live) hosting?.listen(live.subscriber);
  const { max, per } = config.serve.submissions;
  const cluster = config.cluster ? await openClusterPlans(config.cluster) : undefined;
  return {
    ...deps,
    index,
    changes,
    ...(live ? { live } : {}),
    ...(cluster ? { cluster } : {}),
    daemon: hosting ? hostedLink(hosting.control) : vaultLink(config.state, serveToken(config)),
    submissions: new SubmissionLimiter(deps.clock, max, per),
    agents: [],
    look: () => follow.look(),
    async close() {
      await follow.close();
      await cluster?.close();
    },
  };
}

/** `serve.token`, else `$ORCHESTRATOR_TOKEN`. */
export function serveToken(config: Pick<Config, 'serve'>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const token = config.serve.token ?? env.ORCHESTRATOR_TOKEN;
  return token === undefined || token.trim() === '' ? undefined : token;
}
