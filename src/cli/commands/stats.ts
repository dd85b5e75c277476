/**
 * `stats [--since DURATION] [--json]` (SPEC §8): figures from `logs/mcp_actions.jsonl` (and the rotated
 * files inside the window) plus the queue in the vault right now. With `cluster` (SPEC §12) also the
 * whole cluster from the database: every node, live or silent, its servers, what it holds now and what
 * it did — the logs/ folder read here may be this node's alone or shared, the journal is everyone's.
 */
import { formatStatsReport } from '../../stats/format.js';
import { parseDuration } from '../../core/duration.js';
import { errorOf, messageOf } from '../../core/text.js';
import { readQueueDepth } from '../../stats/queue-depth.js';
import { readLogStats } from '../../stats/read-log.js';
import type { StatsReport } from '../../stats/types.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

interface StatsCommandOptions {
  readonly since?: string;
  readonly json: boolean;
}

export async function statsCommand(runtime: Pick<Runtime, 'config' | 'clock'>, io: Io, options: StatsCommandOptions): Promise<ExitCode> {
  let sinceMs: number | undefined;
  if (options.since !== undefined) {
    try {
      sinceMs = runtime.clock.now().getTime() - parseDuration(options.since);
    } catch (error) {
      io.err(`error: --since: ${messageOf(error)}`);
      return EXIT.usage;
    }
  }
  const { config } = runtime;
  const [log, queue] = await Promise.all([
    readLogStats(config.logs, sinceMs !== undefined ? { sinceMs } : {}),
    readQueueDepth(config.vault),
  ]);
  const report: StatsReport = { ...log, queue };
  if (config.cluster === undefined) {
    if (options.json) io.out(JSON.stringify(report, null, 2));
    else for (const line of formatStatsReport(report, options.since)) io.out(line);
    return EXIT.ok;
  }
  const { readClusterView, formatClusterTable } = await import('./cluster-view.js');
  const view = await readClusterView(config.cluster, sinceMs !== undefined ? { sinceMs } : {}).catch(errorOf);
  if (options.json) io.out(JSON.stringify({ ...report, cluster: view instanceof Error ? { error: view.message } : view }, null, 2));
  else {
    for (const line of formatStatsReport(report, options.since)) io.out(line);
    io.out('');
    io.out(`Cluster (from the database${options.since ? `; counts since ${options.since}` : ''})`);
    if (view instanceof Error) io.err(`error: ${view.message}`);
    else for (const line of formatClusterTable(view)) io.out(line);
  }
  return view instanceof Error ? EXIT.failed : EXIT.ok;
}
