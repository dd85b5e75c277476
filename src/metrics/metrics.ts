/**
 * Prometheus metrics of the orchestrator (prom-client), in a Registry of their own: never the global
 * one, so two orchestrators in one process (tests) or a host application's metrics never collide.
 * Counters hear the plan events (their subscriber) and the alerts (the notices); the queue gauges
 * read the vault when scraped.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuditLog } from '../audit/types.js';
import type { Subscriber } from '../events/event-stream.js';
import { PLAN_STATUS_OF } from '../stats/classify.js';
import type { QueueDepth } from '../stats/types.js';

interface MetricsOptions {
  /** Read at each scrape for the queue gauges. */
  readonly queueDepth?: () => Promise<QueueDepth>;
  /** Read at each scrape for `server_connected`. */
  readonly servers?: () => readonly { readonly name: string; readonly connected: boolean }[];
  /** Node process metrics (memory, CPU, event loop lag…), prefixed too. Default true. */
  readonly processMetrics?: boolean;
}

interface OrchestratorMetrics {
  readonly registry: Registry;
  /** Counts finished attempts, deferrals and plans reaching a final folder. */
  readonly subscriber: Subscriber;
  /** Counts ALERT notices. */
  readonly notices: AuditLog;
}

const METRIC_PREFIX = 'mcp_orchestrator_';

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

  let closed = false;
  return {
    registry,
    subscriber(event) {
      switch (event.type) {
        case 'attempt_ended': {
          const labels = { server: event.step.server, tool: event.step.tool };
          const status = event.result.ok ? 'success' : event.retrying ? 'retrying' : 'failed';
          calls.inc({ ...labels, status });
          if (!event.result.ok) errors.inc({ ...labels, error_type: event.result.error.type });
          if (status === 'retrying') retries.inc(labels);
          duration.observe(labels, event.durationMs / 1000);
          return;
        }
        case 'plan_moved':
          plans.inc({ status: PLAN_STATUS_OF[event.folder] });
          return;
        case 'deferred':
          if (!event.resumed) plans.inc({ status: 'deferred' });
          return;
        default:
          return; // no metric depends on the other events
      }
    },
    notices: {
      record(notice) {
        if (!closed && notice.event === 'ALERT') alerts.inc();
      },
      close() {
        closed = true;
        return Promise.resolve();
      },
    },
  };
}
