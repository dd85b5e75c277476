#!/usr/bin/env node
/**
 * A/B of builds under the same conditions: runs `bench/run.mjs --reps 1` for each build in turn,
 * `--rounds` times (interleaved, so a busy spell on the machine hits every build alike), then prints the
 * median of each metric per build. A build is a dist/ directory (BENCH_DIST); `dist` is the normal one.
 *   node bench/compare.mjs --builds dist,bench/.exp/l1 --only per-step,parallel --rounds 3 [--quick]
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './lib/paths.mjs';
import { median } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    builds: { type: 'string', default: 'dist' },
    only: { type: 'string', default: 'per-step' },
    rounds: { type: 'string', default: '3' },
    quick: { type: 'boolean', default: false },
    plans: { type: 'string' },
  },
});
const builds = values.builds.split(',').map((b) => path.resolve(REPO_ROOT, b.trim()));
const tmp = await mkdtemp(path.join(os.tmpdir(), 'orch-compare-'));
/** metric → build → values */
const seen = new Map();
/** metric → the 1-minute load averages seen while it was measured (all builds) */
const loads = new Map();
try {
  for (let round = 0; round < Number(values.rounds); round += 1) {
    for (const build of builds) {
      const out = path.join(tmp, 'r.json');
      const args = [path.join(REPO_ROOT, 'bench/run.mjs'), '--only', values.only, '--reps', '1', '--out', out];
      if (values.quick) args.push('--quick');
      if (values.plans) args.push('--plans', values.plans);
      const env = { ...process.env };
      if (path.basename(build) === 'dist' && path.dirname(build) === REPO_ROOT) delete env.BENCH_DIST;
      else env.BENCH_DIST = build;
      execFileSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
      for (const row of JSON.parse(await readFile(out, 'utf8')).rows) {
        const key = `${row.figure} ${row.metric} (${row.unit})`;
        if (!seen.has(key)) seen.set(key, new Map());
        const perBuild = seen.get(key);
        if (!perBuild.has(build)) perBuild.set(build, []);
        perBuild.get(build).push(row.median);
        if (row.load) loads.set(key, [...(loads.get(key) ?? []), row.load.before, row.load.after]);
      }
    }
  }
} finally {
  await rm(tmp, { recursive: true, force: true });
}
const names = builds.map((b) => path.relative(REPO_ROOT, b) || b);
const width = Math.max(...[...seen.keys()].map((k) => k.length));
process.stdout.write(`${'metric'.padEnd(width)}  ${names.map((n) => n.padStart(14)).join('  ')}  load\n`);
for (const [key, perBuild] of seen) {
  const cells = builds.map((b) => (perBuild.has(b) ? median(perBuild.get(b)).toFixed(2) : '').padStart(Math.max(14, 0)));
  const load = loads.get(key) ?? [];
  const range = load.length > 0 ? `${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}` : '';
  process.stdout.write(`${key.padEnd(width)}  ${cells.join('  ')}  ${range}\n`);
}
