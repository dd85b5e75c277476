/**
 * `daemon --dry-run`: shows what the daemon would do with each plan in Approved/ (its steps, or its
 * problems) without claiming, calling or writing anything, and without the vault lock or the journal,
 * so it runs beside a daemon that does the real work. `--once` looks at what waits now, then exits.
 */
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { McpPool } from '../mcp/pool.js';
import { formatProblem } from '../plan/problems.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { describeValidPlan } from '../run/describe.js';
import { preparePlan } from '../run/prepare.js';
import { startupBanner } from './banner.js';
import { ApprovedScanner } from './scanner.js';
import { watchFolder } from './watch.js';

interface DryRunOptions {
  readonly config: Config;
  readonly catalog: Pick<McpPool, 'catalog'>;
  readonly clock: Clock;
  readonly schemaChecker?: SchemaChecker;
  readonly signal: AbortSignal;
  readonly print: (line: string) => void;
  readonly once: boolean;
}

export async function runDryRun(options: DryRunOptions): Promise<void> {
  const { config, print, signal } = options;
  const approved = path.join(config.vault, 'Approved');
  const scanner = new ApprovedScanner(approved, config.daemon.stabilityMs, () => options.clock.now().getTime());
  /** Files already described, by name and mtime, so each version is printed once. */
  const described = new Set<string>();
  let scanning: Promise<number | undefined> = Promise.resolve(undefined);
  const scan = (): Promise<number | undefined> => {
    scanning = scanning.then(async () => {
      const result = await scanner.scan().catch(() => undefined);
      for (const entry of result?.ready ?? []) {
        const seen = `${entry.name}:${entry.mtimeMs}`;
        if (described.has(seen) || signal.aborted) continue;
        described.add(seen);
        await describe(entry.path, options);
      }
      return result?.recheckInMs;
    });
    return scanning;
  };

  for (const line of await startupBanner(config, { once: options.once, dryRun: true })) print(line);
  if (options.once) {
    for (let recheck = await scan(); recheck !== undefined && !signal.aborted; recheck = await scan()) {
      await sleep(recheck, undefined, { signal }).catch(() => undefined);
    }
    return;
  }
  const watcher = await watchFolder(approved, () => void scan(), () => undefined);
  const interval = setInterval(() => void scan(), config.daemon.scanIntervalMs);
  try {
    await scan();
    if (!signal.aborted) await once(signal, 'abort');
  } finally {
    clearInterval(interval);
    await watcher.close();
    await scanning;
  }
}

async function describe(file: string, options: DryRunOptions): Promise<void> {
  const bytes = await readFile(file).catch(() => undefined);
  if (!bytes) return;
  const prepared = await preparePlan(bytes, path.basename(file), {
    config: options.config,
    catalog: options.catalog,
    clock: options.clock,
    signal: options.signal,
    ...(options.schemaChecker ? { schemaChecker: options.schemaChecker } : {}),
  });
  const name = `Approved/${path.basename(file)}`;
  if (prepared.ok) {
    for (const line of describeValidPlan(name, prepared.plan)) options.print(line);
  } else {
    options.print(`${name}: invalid`);
    for (const problem of prepared.problems) options.print(`  ${formatProblem(problem)}`);
  }
  options.print('dry run: nothing was claimed or called');
}
