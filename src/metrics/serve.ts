/**
 * `daemon --metrics-port N` glue: for the length of `body`, metrics hear the plan events (one more
 * sink) and the notices (the audit log teed), and are served on 127.0.0.1:N.
 */
import type { AuditLog } from '../audit/types.js';
import { teeAuditLogs } from '../audit/tee.js';
import type { Clock } from '../core/clock.js';
import type { Subscriber } from '../events/event-stream.js';
import { readQueueDepth } from '../stats/queue-depth.js';

/** What the glue needs of a runtime (cli/runtime.ts's Runtime has it). */
interface MetricsHost {
  readonly config: { readonly vault: string };
  readonly clock: Clock;
  readonly pool: { status(): readonly { readonly name: string; readonly enabled: boolean; readonly connected: boolean }[] };
  readonly audit: AuditLog;
  readonly sinks: readonly Subscriber[];
}

export async function serveMetricsWhile<R extends MetricsHost, T>(
  runtime: R,
  port: number | undefined,
  print: (line: string) => void,
  body: (runtime: R) => Promise<T>,
): Promise<T> {
  if (port === undefined) return body(runtime);
  // prom-client and the HTTP server are loaded only when asked for: ~10 MB of an idle daemon's RSS otherwise.
  const [{ createOrchestratorMetrics }, { startMetricsServer }] = await Promise.all([import('./metrics.js'), import('./server.js')]);
  const started = runtime.clock.monotonicMs();
  const enabled = () => runtime.pool.status().filter((server) => server.enabled);
  const metrics = createOrchestratorMetrics({ queueDepth: () => readQueueDepth(runtime.config.vault), servers: enabled });
  const server = await startMetricsServer({
    port,
    registry: metrics.registry,
    // Liveness: the process serves, so it is up. Server connections are details, not a reason to restart.
    health: () => ({
      ok: true,
      uptime_s: Math.round((runtime.clock.monotonicMs() - started) / 1000),
      servers: Object.fromEntries(enabled().map((s) => [s.name, s.connected ? 'connected' : 'not connected'])),
    }),
  });
  print(`metrics: ${server.url}/metrics and ${server.url}/healthz`);
  try {
    return await body({ ...runtime, audit: teeAuditLogs(runtime.audit, metrics.notices), sinks: [...runtime.sinks, metrics.subscriber] });
  } finally {
    await server.close();
  }
}
