/** The `stats` table for people (the JSON form is the StatsReport itself). Pure. */
import { formatLocalDateTime } from '../core/text.js';
import { count, formatTable, ms, percent } from './table.js';
import type { StatsReport } from './types.js';

export function formatStatsReport(report: StatsReport, sinceLabel?: string): string[] {
  const out: string[] = [];
  const when = (iso: string | null): string => (iso === null ? '-' : formatLocalDateTime(new Date(iso)));
  const window = report.first === null ? 'no events' : `${when(report.first)} → ${when(report.last)}`;
  out.push(`Audit log: ${window}${sinceLabel ? ` (since ${sinceLabel})` : ''}; ${count(report.lines.counted)} lines counted` +
    `${report.lines.skipped > 0 ? `, ${count(report.lines.skipped)} torn or garbled lines skipped` : ''}, ${report.files.length} file(s)`);
  const q = report.queue;
  out.push(`Queue: ${q.waiting} waiting, ${q.inProgress} in progress (${q.deferred} deferred)`);
  const a = report.attempts;
  out.push(`Calls: ${count(report.calls.total)}; attempts finished ${count(a.finished)}, success rate ${percent(a.successRate)}, retries ${count(report.retries)}`);
  const p = report.plans;
  out.push(`Plans: ${count(p.done)} done, ${count(p.failed)} failed, ${count(p.needs_review)} needs review; ${count(p.deferred)} deferral(s)`);

  const servers = Object.keys(report.calls.byServer);
  if (servers.length > 0) {
    out.push('', 'Calls per day');
    const days = Object.keys(report.calls.byDay);
    out.push(
      ...formatTable(
        ['DAY', 'TOTAL', ...servers],
        days.map((day) => [
          day,
          count(report.calls.byDay[day] ?? 0),
          ...servers.map((server) => count(report.calls.byServerDay[server]?.[day] ?? 0)),
        ]),
        ['left', ...Array<'right'>(servers.length + 1).fill('right')],
      ),
    );
  }
  if (report.actions.length > 0) {
    out.push('', 'Actions');
    out.push(
      ...formatTable(
        ['ACTION', 'CALLS', 'SUCCESS', 'RETRIED', 'FAILED', 'AVG MS', 'P95 MS'],
        report.actions.map((action) => [
          action.action,
          count(action.calls),
          percent(action.successRate),
          count(action.retried),
          count(action.failed),
          ms(action.avgMs),
          ms(action.p95Ms),
        ]),
        ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
      ),
    );
  }
  const errors = Object.entries(report.errors);
  if (errors.length > 0) {
    out.push('', 'Errors by type (share of finished attempts)');
    out.push(
      ...formatTable(
        ['TYPE', 'COUNT', 'RATE'],
        errors.map(([type, e]) => [type, count(e.count), percent(e.rate)]),
        ['left', 'right', 'right'],
      ),
    );
  }
  return out;
}
