export { parseDuration } from './duration.js';
export { observe, type Observation, type RecordLike } from './classify.js';
export { DurationCounts } from './quantiles.js';
export { StatsAccumulator, aggregateLines, type AggregateOptions } from './aggregate.js';
export { logFilesToRead, readLogStats } from './read-log.js';
export { readQueueDepth } from './queue-depth.js';
export { formatStatsReport } from './format.js';
export { formatTable, percent, count, type Align } from './table.js';
export type { ActionStats, ErrorStats, LogStats, QueueDepth, StatsReport } from './types.js';
