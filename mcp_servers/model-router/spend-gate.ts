/**
 * Admission of requests against the spending ceilings. Requests still in flight count as spent (at
 * their estimate) so that parallel calls cannot together overshoot MCP_DAILY_LIMIT; admissions are
 * serialized so the read-check-reserve sequence cannot interleave.
 */
import { enforceCeilings, type Ceilings } from './cost.js';
import { readSpend, spentOn, utcDay } from './spend-ledger.js';

export interface Admission {
  readonly modelName: string;
  readonly estimatedUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

export class SpendGate {
  private reservedUsd = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly ledgerFile: string,
    private readonly ceilings: Ceilings,
    private readonly now: () => Date,
  ) {}

  /** Throws the ceiling's validation failure, or reserves the estimate and returns its release. */
  admit(request: Admission): Promise<() => void> {
    const step = async (): Promise<() => void> => {
      const day = utcDay(this.now());
      const spent = this.ceilings.dailyLimit === undefined ? 0 : spentOn(await readSpend(this.ledgerFile), day);
      enforceCeilings(this.ceilings, { ...request, spentTodayUsd: spent + this.reservedUsd, day });
      this.reservedUsd += request.estimatedUsd;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.reservedUsd -= request.estimatedUsd;
      };
    };
    const next = this.queue.then(step, step);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
