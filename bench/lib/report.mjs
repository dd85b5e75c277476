/** Rows of results → a plain-text table (stdout) and the JSON record (bench/results/latest.json). */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { round, spread } from './stats.mjs';

/**
 * One measured figure. `reps` holds one value per repetition; `target` is {op: '<=' | '<', value};
 * `baseline` the raw-SDK values of the same quantity, when there is one.
 */
export function row({ figure, metric, unit, reps, target, baseline, note }) {
  const s = spread(reps);
  const b = baseline ? spread(baseline) : undefined;
  const met = target ? (target.op === '<' ? s.median < target.value : s.median <= target.value) : undefined;
  return {
    figure,
    metric,
    unit,
    median: round(s.median, 3),
    min: round(s.min, 3),
    max: round(s.max, 3),
    reps: reps.map((v) => round(v, 3)),
    ...(target ? { target, met } : {}),
    ...(b ? { baseline: { median: round(b.median, 3), min: round(b.min, 3), max: round(b.max, 3), reps: b.reps.map((v) => round(v, 3)) } } : {}),
    ...(b && b.median !== 0 ? { ratio: round(s.median / b.median, 2) } : {}),
    ...(note ? { note } : {}),
  };
}

export function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
  let commit;
  try {
    const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = git('rev-parse', '--short', 'HEAD') + (git('status', '--porcelain', '--untracked-files=no') ? '+uncommitted' : '');
  } catch {
    commit = undefined;
  }
  return {
    nproc: os.availableParallelism(),
    cpu: model,
    memoryGb: round(os.totalmem() / 2 ** 30, 1),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    ...(commit ? { commit } : {}),
  };
}

const fmt = (value) => (typeof value !== 'number' || !Number.isFinite(value) ? '' : Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2));

export function table(rows) {
  const header = ['#', 'metric', 'median', 'min', 'max', 'unit', 'target', 'met', 'raw SDK', 'ratio', 'load'];
  const lines = rows.map((r) => [
    String(r.figure),
    r.metric,
    fmt(r.median),
    fmt(r.min),
    fmt(r.max),
    r.unit,
    r.target ? `${r.target.op} ${r.target.value}` : '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
    r.baseline ? fmt(r.baseline.median) : '',
    r.ratio === undefined ? '' : `${r.ratio}x`,
    r.load ? `${r.load.before.toFixed(1)}→${r.load.after.toFixed(1)}` : '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const left = new Set([1, 5]);
  const render = (cells) => cells.map((c, i) => (left.has(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}
