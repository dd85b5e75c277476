import type { ActionConfig } from '../config/schema.js';
import { contentHash } from './canonical.js';
import { approvedActionProblem } from './policy.js';
import { listNames, problem, quote } from './problems.js';
import type { SchemaChecker } from './schema-check.js';
import { closestName, declaredNames, unknownNames } from './schema-names.js';
import { STEP_KEYS } from './step-fields.js';
import { findTemplateRefs, followPath, resolveKnownTemplates, type TemplateScan } from './templates.js';
import type { ActionStep, Plan, PlanProblem } from './types.js';
import type { ValidateContext } from './validate.js';
import type { ResolvedStep, ToolInfo } from './validated.js';

export type StepCheckContext = Pick<ValidateContext, 'actions' | 'servers' | 'execution' | 'tools' | 'now'> & {
  readonly plan: Plan;
  readonly checker: SchemaChecker;
  /** What `{{ plan.FIELD }}` can reach. */
  readonly planValues: Readonly<Record<string, unknown>>;
};

/** Everything about one step except its dependencies, which need the whole plan. */
export type StepCheck = {
  readonly problems: readonly PlanProblem[];
  readonly scan: TemplateScan;
  readonly resolved?: Omit<ResolvedStep, 'dependsOn'>;
  /** The tool as listed, when its server was asked: templates of later steps check against its outputSchema. */
  readonly info?: ToolInfo;
};

/** Checks one pending action step against configuration, catalog, schema, templates and allowlist. */
export function checkActionStep(step: ActionStep, ctx: StepCheckContext): StepCheck {
  const problems: PlanProblem[] = [];
  const loc = { file: ctx.plan.file, step: step.index, ...(step.line !== undefined ? { line: step.line } : {}) };
  const add = (code: PlanProblem['code'], message: string): void => void problems.push(problem(code, message, loc));

  let config: ActionConfig | undefined;
  let server = step.server;
  let tool = step.tool;
  if (step.action !== undefined) {
    config = Object.hasOwn(ctx.actions, step.action) ? ctx.actions[step.action] : undefined;
    if (config === undefined) {
      const close = closestName(step.action, Object.keys(ctx.actions));
      const hint = close !== undefined ? `did you mean ${quote(close)}? ` : '';
      add('unknown_action', `unknown action ${quote(step.action)}: ${hint}known actions are ${listNames(Object.keys(ctx.actions))}; use one of them or add it to "actions" in the configuration`);
    } else {
      for (const [what, given, configured] of [['server', step.server, config.server], ['tool', step.tool, config.tool]] as const) {
        if (given !== undefined && given !== configured) {
          add('bad_field', `action ${quote(step.action)} uses ${what} ${quote(configured)} but the plan names ${what} ${quote(given)}: make them agree or drop mcp_${what}`);
        }
      }
      server = config.server;
      tool = config.tool;
    }
  }

  const notApproved = approvedActionProblem(ctx.plan, step.action ?? `${server ?? ''}.${tool ?? ''}`, step.index, step.line);
  if (notApproved !== undefined) problems.push(notApproved);

  const args: Record<string, unknown> = Object.fromEntries([...Object.entries(config?.defaults ?? {}), ...Object.entries(step.args)]);
  const scan = findTemplateRefs(args);
  for (const p of scan.problems) add('bad_template', `${argName(p.pointer)}: template ${p.template}: ${p.message}`);
  for (const p of scan.planRefs) {
    if (!followPath(ctx.planValues, p.path).ok) {
      add('bad_template', `${argName(p.pointer)}: template ${p.template}: the front matter has no ${quote(p.path.join('.'))} field`);
    }
  }

  if (server === undefined || tool === undefined) return { problems, scan };
  const serverConfig = Object.hasOwn(ctx.servers, server) ? ctx.servers[server] : undefined;
  const via = step.action !== undefined ? ` (used by action ${quote(step.action)})` : '';
  if (serverConfig === undefined) {
    add('unknown_server', `unknown server ${quote(server)}${via}: configured servers are ${listNames(Object.keys(ctx.servers))}; fix the name or add it to "mcpServers"`);
    return { problems, scan };
  }
  // A server placed on other nodes: its tools are checked there, where the step runs.
  if (!serverConfig.enabled && serverConfig.type === 'disabled' && serverConfig.elsewhere === undefined) {
    add('unknown_server', `server ${quote(server)}${via} is disabled (enabled: false) in the configuration: enable it, or remove the step`);
    return { problems, scan };
  }

  let info: ToolInfo | undefined;
  const listed = ctx.tools.get(server);
  if (listed !== undefined && !listed.ok) {
    add('server_unavailable', `server ${quote(server)} could not list its tools (${listed.error}): check that it starts and answers`);
  } else if (listed !== undefined) {
    info = listed.tools.get(tool);
    if (info === undefined) {
      const close = closestName(tool, listed.tools.keys());
      add('unknown_tool', `server ${quote(server)} has no tool ${quote(tool)}${via}${close !== undefined ? ` (did you mean ${quote(close)}?)` : ''}; its tools are ${listNames(listed.tools.keys(), '(none)')}`);
    }
  }

  const properties = info?.inputSchema.properties;
  const acceptsIdempotencyKey = typeof properties === 'object' && properties !== null && Object.hasOwn(properties, 'idempotency_key');
  // Per approval (SPEC §7): the same across retries, restarts and re-approvals of this file, different
  // for every other approval (a reused id, a copy, a recurring plan). `run` has no approval: the plan id.
  const idempotencyKey = step.idempotencyKey ?? `${ctx.plan.approvalId ?? ctx.plan.id}:${step.index}:${contentHash(server, tool, args)}`;
  if (info !== undefined) {
    const name = `${server}.${tool}`;
    const unknowns = unknownNames(info.inputSchema, Object.keys(args));
    for (const unknown of unknowns) {
      const from = Object.hasOwn(step.args, unknown.name) ? '' : ` (from the defaults of action ${quote(step.action ?? '')} in the configuration)`;
      const known = listNames(declaredNames(info.inputSchema).names ?? [], '(none)');
      // A slip in a step key (`dependson:`) lands among the arguments: point back at the key.
      const stepKey = unknown.suggestion === undefined ? closestName(unknown.name, STEP_KEYS) : undefined;
      const fix =
        unknown.suggestion !== undefined
          ? `did you mean ${quote(unknown.suggestion)}?`
          : stepKey !== undefined
            ? `did you mean the step key ${quote(stepKey)}?`
            : 'remove it or correct its name.';
      add('unknown_argument', `${name} has no argument ${quote(unknown.name)}${from}: ${fix} Its arguments are ${known}`);
    }
    // Check what the tool will really receive: the executor adds the key when the schema declares it.
    const sent = acceptsIdempotencyKey && !Object.hasOwn(args, 'idempotency_key') ? { ...args, idempotency_key: idempotencyKey } : args;
    // `{{ plan.FIELD }}` and `{{ now }}` are known now: checked as resolved; step results only at run time.
    const known = resolveKnownTemplates(sent, { plan: ctx.planValues, now: ctx.now });
    const checked = ctx.checker.check(info.inputSchema, known.args, known.unknown);
    // A name reported above is not reported again as the schema's "unexpected argument".
    const reported = new Set(unknowns.map((u) => `unexpected argument ${JSON.stringify(u.name)}`));
    const result = 'errors' in checked ? { ...checked, errors: checked.errors.filter((e) => !reported.has(e)) } : checked;
    if ('compileError' in result) {
      add('invalid_arguments', `the inputSchema of ${name} cannot be checked (${result.compileError}), so its arguments cannot be validated: fix the server's schema`);
    } else if (step.matched !== undefined && result.missing.length > 0) {
      const others = result.errors.filter((e) => !e.startsWith('missing required argument'));
      add('invalid_arguments', freeTextHint(step.matched, step.action ?? name, result.missing) + (others.length > 0 ? `; also ${others.join('; ')}` : ''));
    } else if (result.errors.length > 0) {
      add('invalid_arguments', `arguments do not fit ${name}: ${result.errors.join('; ')}`);
    }
  }
  return {
    problems,
    scan,
    ...(info !== undefined ? { info } : {}),
    resolved: {
      index: step.index,
      id: step.id,
      text: step.text,
      ...(step.line !== undefined ? { line: step.line } : {}),
      ...(step.action !== undefined ? { action: step.action } : {}),
      server,
      tool,
      args,
      timeoutMs: step.timeoutMs ?? config?.timeoutMs ?? serverConfig.timeoutMs ?? ctx.execution.timeoutMs,
      retries: step.retries ?? config?.retries ?? ctx.execution.maxRetries,
      idempotent: config !== undefined ? config.idempotent : info?.annotations?.idempotentHint === true,
      idempotencyKey,
      acceptsIdempotencyKey,
    },
  };
}

/** A free-text step mapped to an action by its keyword but giving none of the arguments it needs (SPEC §5). */
function freeTextHint(keyword: string, action: string, missing: readonly string[]): string {
  const names = missing.map((m) => quote(m)).join(', ');
  const example = missing.map((m) => `${m}: …`);
  return (
    `the step text matched action ${quote(action)} (keyword ${quote(keyword)}), which needs ${names}, and the step does not give ${missing.length === 1 ? 'it' : 'them'}: ` +
    `add them under the item as a \`\`\`yaml block (action: ${action}, ${example.join(', ')}) or as sub-bullets (- ${example.join(' / - ')})`
  );
}

function argName(pointer: string): string {
  return pointer === '' ? 'arguments' : `argument ${quote(pointer.slice(1).split('/').join('.'))}`;
}
