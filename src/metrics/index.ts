export { createOrchestratorMetrics, METRIC_PREFIX, type MetricsOptions, type OrchestratorMetrics } from './metrics.js';
export { createMetricsAuditSink } from './audit-sink.js';
export { startMetricsServer, METRICS_HOST, type Health, type MetricsServer, type MetricsServerOptions } from './server.js';
export { parseMetricsPort, serveMetricsWhile, type MetricsHost } from './serve.js';
