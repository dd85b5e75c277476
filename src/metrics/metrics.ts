/**
 * Prometheus metrics of the orchestrator (prom-client), in a Registry of their own: never the global
 * one, so two orchestrators in one process (tests) or a host application's metrics never collide.
 * Counters are fed audit events (audit-sink.ts) through the same classifier `stats` uses, so a scrape
 * and `stats` count alike; the queue gauges read the vault when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { observe, type RecordLike } from '../stats/classify.js';
import type { QueueDepth } from '../stats/types.js';

export interface MetricsOptions {
  /** Read at each scrape for the queue gauges. */
  readonly queueDepth?: () => Promise<QueueDepth>;
  /** Read at each scrape for `server_connected`. */
  readonly servers?: () => readonly { readonly name: string; readonly connected: boolean }[];
  /** Node process metrics (memory, CPU, event loop lag…), prefixed too. Default true. */
  readonly processMetrics?: boolean;
}

export interface OrchestratorMetrics {
  readonly registry: Registry;
  /** Counts one audit event; events that no metric depends on are ignored. */
  record(event: RecordLike): void;
}

export const METRIC_PREFIX = 'mcp_orchestrator_';

/** Call durations: from a cached read to a slow model call near the default 30 s deadline. */
const DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createOrchestratorMetrics(options: MetricsOptions = {}): OrchestratorMetrics {
  const registry = new Registry();
  const registers = [registry];
  const p = METRIC_PREFIX;
  const calls = new Counter({
    name: `${p}calls_total`,
    help: 'Finished call attempts, by server, tool and status (success, retrying, failed).',
    labelNames: ['server', 'tool', 'status'] as const,
    registers,
  });
  const errors = new Counter({
    name: `${p}call_errors_total`,
    help: 'Failed call attempts, by server, tool and error type.',
    labelNames: ['server', 'tool', 'error_type'] as const,
    registers,
  });
  const retries = new Counter({
    name: `${p}call_retries_total`,
    help: 'Failed attempts that were retried.',
    labelNames: ['server', 'tool'] as const,
    registers,
  });
  const duration = new Histogram({
    name: `${p}call_duration_seconds`,
    help: 'Duration of call attempts.',
    labelNames: ['server', 'tool'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  });
  const plans = new Counter({
    name: `${p}plans_total`,
    help: 'Plans by final status (done, failed, needs_review), and deferrals (deferred).',
    labelNames: ['status'] as const,
    registers,
  });
  const alerts = new Counter({ name: `${p}alerts_total`, help: 'ALERT events written to the audit log.', registers });
  for (const status of ['done', 'failed', 'needs_review', 'deferred']) plans.inc({ status }, 0);

  if (options.queueDepth) {
    const read = options.queueDepth;
    new Gauge({
      name: `${p}queue_depth`,
      help: 'Plans waiting in the vault: waiting (Approved/), in_progress and deferred (In_Progress/).',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const depth = await read();
        this.set({ state: 'waiting' }, depth.waiting);
        this.set({ state: 'in_progress' }, depth.inProgress - depth.deferred);
        this.set({ state: 'deferred' }, depth.deferred);
      },
    });
  }
  if (options.servers) {
    const read = options.servers;
    new Gauge({
      name: `${p}server_connected`,
      help: '1 when the orchestrator holds an open connection to the server.',
      labelNames: ['server'] as const,
      registers,
      collect() {
        for (const server of read()) this.set({ server: server.name }, server.connected ? 1 : 0);
      },
    });
  }
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry, prefix: p });

  return {
    registry,
    record(event) {
      if (event.event === 'ALERT') alerts.inc();
      const seen = observe(event);
      if (!seen) return;
      switch (seen.kind) {
        case 'call':
          return; // counted when the attempt finishes, with its status
        case 'attempt': {
          const labels = { server: seen.server, tool: seen.tool };
          calls.inc({ ...labels, status: seen.outcome });
          if (seen.errorType !== undefined) errors.inc({ ...labels, error_type: seen.errorType });
          if (seen.outcome === 'retrying') retries.inc(labels);
          if (seen.durationMs !== undefined) duration.observe(labels, seen.durationMs / 1000);
          return;
        }
        case 'plan_finished':
          plans.inc({ status: seen.status });
          return;
        case 'plan_deferred':
          plans.inc({ status: 'deferred' });
          return;
        default: {
          const unreachable: never = seen;
          throw new Error(`unknown observation ${JSON.stringify(unreachable)}`);
        }
      }
    },
  };
}
