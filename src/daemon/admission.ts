/**
 * What happens to the files a scan of Approved/ found ready: each is claimed and handed to the runner
 * (or, in a dry run, validated and described without being touched); symbolic links are refused.
 * One file's trouble (a permission error, a vanished file) never stops the others or the daemon.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditLog } from '../audit/logger.js';
import type { Config } from '../config/schema.js';
import { JournalFatalError } from '../journal/index.js';
import type { McpPool } from '../mcp/pool.js';
import { formatProblem } from '../plan/problems.js';
import type { SchemaChecker } from '../plan/schema-check.js';
import { describeValidPlan } from '../run/describe.js';
import { preparePlan } from '../run/prepare.js';
import { ensureVaultFolders, moveBadlyNamed, moveNoClobber } from '../vault/index.js';
import { claimPlan, type Claim, type Lifecycle } from './lifecycle.js';
import type { ScanResult } from './scanner.js';

export interface AdmissionOptions {
  readonly config: Config;
  readonly life: Lifecycle;
  readonly audit: AuditLog;
  readonly pool: Pick<McpPool, 'catalog'>;
  readonly now: () => Date;
  readonly schemaChecker?: SchemaChecker;
  readonly stopSignal: AbortSignal;
  readonly dryRun: boolean;
  readonly print: (line: string) => void;
  readonly onClaimed: (claim: Claim) => void;
}

export class Admission {
  /** Dry run: files already described, by name and mtime, so each is printed once. */
  private readonly described = new Set<string>();

  constructor(private readonly options: AdmissionOptions) {}

  async admit(scan: ScanResult): Promise<void> {
    const { audit, dryRun } = this.options;
    for (const link of dryRun ? [] : scan.symlinks) {
      const dest = await moveNoClobber(link, path.join(this.options.config.vault, 'Failed')).catch(() => undefined);
      audit.record({
        event: 'FAILED',
        status: 'refused',
        message: `${path.basename(link)} is a symbolic link; plans must be regular files (moved to ${dest ? 'Failed/' : 'nowhere: move failed'})`,
      });
    }
    for (const raw of dryRun ? [] : scan.badNames) {
      const dest = await moveBadlyNamed(path.join(this.options.config.vault, 'Approved'), raw, path.join(this.options.config.vault, 'Failed')).catch(
        () => undefined,
      );
      audit.record({
        event: 'FAILED',
        status: 'refused',
        message: `a plan file name is not valid UTF-8 (${raw.toString('hex')}); rename it in UTF-8 (moved to ${dest ? `Failed/${path.basename(dest)}` : 'nowhere: move failed'})`,
      });
    }
    for (const entry of scan.ready) {
      if (this.options.stopSignal.aborted) return;
      try {
        if (dryRun) {
          await this.describe(entry.path, `${entry.name}:${entry.mtimeMs}`);
          continue;
        }
        const claimed = await claimPlan(this.options.life, entry.path);
        if (claimed) this.options.onClaimed(claimed);
      } catch (error) {
        if (error instanceof JournalFatalError) throw error;
        audit.record({ event: 'ALERT', message: `cannot claim Approved/${entry.name}, left where it is: ${String(error)}` });
        // A lifecycle folder removed under us is recreated, so the next scan can claim again.
        await ensureVaultFolders(this.options.config.vault).catch(() => undefined);
      }
    }
  }

  private async describe(file: string, seenKey: string): Promise<void> {
    if (this.described.has(seenKey)) return;
    this.described.add(seenKey);
    const bytes = await readFile(file).catch(() => undefined);
    if (!bytes) return;
    const prepared = await preparePlan(bytes, path.basename(file), this.options);
    const name = `Approved/${path.basename(file)}`;
    if (prepared.ok) {
      for (const line of describeValidPlan(name, prepared.plan)) this.options.print(line);
    } else {
      this.options.print(`${name}: invalid`);
      for (const problem of prepared.problems) this.options.print(`  ${formatProblem(problem)}`);
    }
    this.options.print('dry run: nothing was claimed or called');
  }
}
