/**
 * `vault/Dashboard.md` (issue 7): the model and its rendering, both pure. The daemon builds the model
 * from its tracker, its breakers and its alerts; DashboardWriter decides when to write it.
 */
import { cut, escapeUnprintable, formatLocalDateTime, localDay, squash } from '../core/text.js';
import type { BreakerView } from '../execution/breaker.js';
import type { OpenAlert } from './alert-center.js';
import type { DaemonHealth } from './health-file.js';
import type { RecentAction, RecentOutcome, TrackerSnapshot } from './plan-tracker.js';

export interface ServerHealth {
  readonly name: string;
  readonly enabled: boolean;
  readonly breaker?: BreakerView;
  /** The connection's last error, shown when the breaker has none of its own. */
  readonly connectionError?: string;
}

/** What health.json carries of the plans, as its schema reads it back. */
export type DashboardCounts = DaemonHealth['counts'];

export interface DashboardModel {
  readonly startedAt: Date;
  /** Set by the last write of a daemon that stops: what follows is its final state. */
  readonly stoppedAt?: Date;
  readonly counts: DashboardCounts;
  readonly servers: readonly ServerHealth[];
  readonly alerts: readonly OpenAlert[];
  readonly recent: readonly RecentAction[];
}

interface ModelInput extends Pick<DashboardModel, 'startedAt' | 'stoppedAt' | 'servers' | 'alerts'> {
  readonly now: Date;
  readonly plans: TrackerSnapshot;
}

export function buildDashboardModel(input: ModelInput): DashboardModel {
  const today = localDay(input.now);
  const finishedToday = input.plans.finished.filter((plan) => localDay(plan.at) === today);
  const count = (folder: string): number => finishedToday.filter((plan) => plan.folder === folder).length;
  return {
    startedAt: input.startedAt,
    ...(input.stoppedAt ? { stoppedAt: input.stoppedAt } : {}),
    counts: {
      waiting: input.plans.waiting,
      inProgress: input.plans.inProgress,
      deferred: input.plans.deferred,
      doneToday: count('Done'),
      failedToday: count('Failed'),
      needsReviewToday: count('Needs_Review'),
    },
    servers: input.servers,
    alerts: input.alerts,
    recent: input.plans.recent,
  };
}

const OUTCOME_LABELS: Record<RecentOutcome, string> = {
  success: '✓ Success',
  failed: '✗ Failed',
  needs_review: '⚠ Needs review',
  deferred: '⏳ Deferred',
};

/** `- [2026-02-05 11:00:00] send_email - ✓ Success - welcome_email.md`, and why, when it did not succeed. */
function formatRecentAction(entry: RecentAction): string {
  const line = `- [${formatLocalDateTime(entry.at)}] ${printable(entry.action)} - ${OUTCOME_LABELS[entry.outcome]} - ${printable(entry.file)}`;
  return entry.reason === undefined ? line : `${line} — ${cut(printable(entry.reason), 160)}`;
}

export function renderDashboard(model: DashboardModel, updatedAt: Date): string {
  const c = model.counts;
  const since = formatLocalDateTime(model.startedAt);
  const status = model.stoppedAt
    ? `The daemon stopped at ${formatLocalDateTime(model.stoppedAt)} (it had run since ${since}); this was its last state.`
    : `Written by the mcp-orchestrator daemon (running since ${since}); edits here are overwritten.`;
  const lines = [
    '# Orchestrator Dashboard',
    '',
    `_${status} Updated ${formatLocalDateTime(updatedAt)}._`,
    '',
    '## Plans',
    '',
    '| Waiting | In progress | Deferred | Done today | Failed today | Needs review today |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${c.waiting} | ${c.inProgress} | ${c.deferred} | ${c.doneToday} | ${c.failedToday} | ${c.needsReviewToday} |`,
    '',
    '## Servers',
    '',
    '| Server | Health | Since | Last error |',
    '|---|---|---|---|',
    ...model.servers.map(serverRow),
    '',
    '## Alerts',
    '',
    ...(model.alerts.length === 0
      ? ['- None']
      : model.alerts.map((alert) => `- ⚠ [${formatLocalDateTime(alert.raisedAt)}] ${printable(alert.message)}`)),
    '',
    '## Recent actions',
    '',
    ...(model.recent.length === 0 ? ['- None since the daemon started'] : model.recent.map(formatRecentAction)),
    '',
  ];
  return lines.join('\n');
}

function serverRow(server: ServerHealth): string {
  const breaker = server.breaker;
  const since = breaker && server.enabled ? formatLocalDateTime(new Date(breaker.since)) : '';
  const error = breaker?.lastError ? `${breaker.lastError.type}: ${breaker.lastError.message}` : (server.connectionError ?? '');
  return `| ${cell(server.name)} | ${cell(health(server))} | ${since} | ${cell(cut(error, 160)) || '—'} |`;
}

function health(server: ServerHealth): string {
  if (!server.enabled) return '– disabled';
  const breaker = server.breaker;
  if (!breaker || breaker.state === 'closed') return '✓ OK';
  if (breaker.state === 'half-open') return '◐ probing after failures';
  if (breaker.reason === 'authentication') return '✗ credentials rejected: calls stopped until restart';
  if (breaker.reason === 'authorization') return `✗ OAuth authorization needed: run \`mcp-orchestrator auth ${server.name}\``;
  const probe = breaker.probeAt ? `; next probe ${formatLocalDateTime(new Date(breaker.probeAt))}` : '';
  return `✗ down (breaker open after ${breaker.consecutiveFailures} failures${probe})`;
}

/** A table cell: one line, no column breaks. */
function cell(text: string): string {
  return printable(text).replace(/\|/g, '\\|');
}

/** One printable line: a file name or message may hold anything. */
function printable(text: string): string {
  return escapeUnprintable(squash(text));
}
