/**
 * From plan bytes to a validated plan: parse, list the tools of the servers the plan names, validate.
 * No tool is called here; `check` uses exactly this.
 */
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { McpPool } from '../mcp/pool.js';
import { parsePlan } from '../plan/parse.js';
import type { Plan, PlanProblem } from '../plan/types.js';
import { validatePlan } from '../plan/validate.js';
import type { ValidPlan } from '../plan/validated.js';
import type { SchemaChecker } from '../plan/schema-check.js';

export type Prepared =
  | { readonly ok: true; readonly plan: ValidPlan }
  | { readonly ok: false; readonly problems: readonly PlanProblem[]; readonly plan?: Plan };

interface PrepareDeps {
  readonly config: Config;
  /** Lists the tools of the servers the plan names (the pool, or the daemon's guard in front of it). */
  readonly catalog: Pick<McpPool, 'catalog'>;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Reused across plans: compiling tool schemas is the expensive part of validation. */
  readonly schemaChecker?: SchemaChecker;
  /** Steps (by index) whose results an earlier run kept: templates may refer to them though they are done. */
  readonly knownResults?: ReadonlySet<number>;
}

export async function preparePlan(bytes: Uint8Array, fileName: string, deps: PrepareDeps): Promise<Prepared> {
  const parsed = parsePlan(bytes, fileName, deps.config.actions);
  const plan = parsed.plan;
  if (plan === undefined) return { ok: false, problems: parsed.ok ? [] : parsed.problems };
  const tools = await deps.catalog.catalog(serversNamedBy(plan, deps.config), deps.signal);
  const validated = validatePlan(plan, {
    // A plan with steps that did not parse is still checked, so every problem is reported at once.
    ...(parsed.ok ? {} : { incomplete: true }),
    actions: deps.config.actions,
    servers: deps.config.mcpServers,
    execution: deps.config.execution,
    tools,
    now: deps.clock.now(),
    strict: deps.config.execution.strict,
    ...(deps.schemaChecker ? { schemaChecker: deps.schemaChecker } : {}),
    ...(deps.knownResults ? { knownResults: deps.knownResults } : {}),
  });
  if (!parsed.ok) return { ok: false, problems: byStep([...parsed.problems, ...(validated.ok ? [] : validated.problems)]) };
  return validated.ok ? validated : { ok: false, problems: validated.problems, plan };
}

/** Plan-level problems first, then each step's in step order (a stable sort keeps each step's own order). */
function byStep(problems: readonly PlanProblem[]): PlanProblem[] {
  return [...problems].sort((a, b) => (a.step ?? 0) - (b.step ?? 0));
}

/** Servers whose tools validation needs: those of the steps still to run, known and enabled. */
function serversNamedBy(plan: Plan, config: Pick<Config, 'actions' | 'mcpServers'>): string[] {
  const names = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind !== 'action' || step.done) continue;
    const server = step.server ?? (step.action ? config.actions[step.action]?.server : undefined);
    if (server && config.mcpServers[server]?.enabled) names.add(server);
  }
  return [...names];
}
