/**
 * model-router: an MCP server over stdio that picks a model for a task (`route_task`), runs a prompt on
 * a model (`execute_prompt`) within spending ceilings, and checks an output offline (`validate_output`).
 * Models come from config/models.json (or MODELS_CONFIG). Run: `node dist/mcp_servers/model-router/server.js`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { ToolFailure, failureResult, okResult, runTool } from '../shared/result.js';
import { serveStdio } from '../shared/serve-stdio.js';
import { registerStrictTool } from '../shared/strict-tool.js';
import { withErrorEnvelope } from '../shared/tool-output.js';
import { loadModels, type ModelsFile } from './config.js';
import { ExecuteInput, ExecuteOutput, runExecutePrompt } from './execute.js';
import { routeTask } from './routing.js';
import { routerSettingsFromEnv, type RouterSettings } from './settings.js';
import { SpendGate } from './spend-gate.js';
import { spendLedgerFile } from './spend-ledger.js';
import { validateOutput } from './validate-output.js';

export const SERVER_VERSION = '0.1.0';

const ContextSchema = z.strictObject({
  files_count: z.number().int().min(0).optional().describe('How many files the task touches'),
  requires_tests: z.boolean().optional().describe('Whether tests must be written or pass'),
  subsystems: z.union([z.number().int().min(0), z.array(z.string())]).optional().describe('How many subsystems, or their names'),
});

const FactorSchema = z.object({ factor: z.string(), points: z.number(), detail: z.string() });

const RouteOutput = {
  model: z.string().describe('The model name to pass to execute_prompt'),
  complexity_score: z.number().int().min(0).max(100),
  complexity_factors: z.array(FactorSchema).describe('The factors whose points add up to the score'),
  reason: z.string(),
  confidence: z.number().min(0).max(1),
  estimated_cost: z.number().describe('US dollars, from estimated tokens and the model prices'),
  estimated_tokens: z.object({ input: z.number(), output: z.number() }),
  score_range: z.array(z.number()).describe('[min, max] scores the chosen model serves'),
};

const ValidateOutput = {
  pass: z.boolean(),
  issues: z.array(z.object({ code: z.string(), severity: z.enum(['error', 'warning']), message: z.string() })),
  confidence: z.number().min(0).max(1),
  escalate: z.boolean().describe('Re-run with a stronger model or ask a human'),
};

export function createModelRouterServer(settings: RouterSettings, models: ModelsFile): McpServer {
  const server = new McpServer({ name: 'model-router', version: SERVER_VERSION });
  const gate = new SpendGate(spendLedgerFile(settings.stateDir), settings.ceilings, settings.now);
  const keyIsSet = (variable: string) => Boolean(settings.env[variable]?.trim());

  registerStrictTool(
    server,
    'route_task',
    {
      title: 'Choose a model for a task',
      description:
        'Scores the task complexity 0-100 from its text and context (explained factor by factor) and picks the model ' +
        'whose score range in models.json contains the score; the result text is that model name. Offline; nothing is sent.',
      input: { task: z.string().describe('The task, in words'), context: ContextSchema.optional() },
      output: withErrorEnvelope(RouteOutput),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        if (args.task.trim() === '') throw new ToolFailure('validation', 'task is empty; describe the task to route');
        const route = routeTask(models, args.task, args.context, keyIsSet);
        // The text is the model name, ready for execute_prompt's `model`; the reasoning is in the structure.
        return okResult({ ...route }, route.model);
      }),
  );

  registerStrictTool(
    server,
    'execute_prompt',
    {
      title: 'Run a prompt on a model',
      description:
        "Sends the prompt to the model's provider and returns its reply as the text result. Refused before sending " +
        'when the API key is missing or the estimated cost passes MCP_MAX_COST_PER_REQUEST or MCP_DAILY_LIMIT.',
      input: ExecuteInput,
      output: withErrorEnvelope(ExecuteOutput),
      // Not read-only: it spends money and records the spend. Not idempotent: every call is billed anew.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    async (args, extra) => {
      const started = Date.now();
      try {
        const outcome = await runExecutePrompt({ settings, models, gate }, args, extra.signal);
        return okResult({ ...outcome }, outcome.response);
      } catch (error) {
        // Errors keep the §10 shape and add the execute_prompt fields, so templates can read either.
        const failure = error instanceof ToolFailure ? error : new ToolFailure('tool_error', error instanceof Error ? error.message : String(error));
        const result = failureResult(failure);
        result.structuredContent = {
          ...result.structuredContent,
          success: false,
          response: '',
          tokens: { input: 0, output: 0 },
          latency_ms: Date.now() - started,
          error: failure.message,
        };
        return result;
      }
    },
  );

  registerStrictTool(
    server,
    'validate_output',
    {
      title: 'Check a model output',
      description:
        'Deterministic offline check of an output against its task: empty, refusal, TODO/placeholder markers, too ' +
        'short, unbalanced code fences, invalid JSON when JSON was asked for. escalate=true suggests a stronger model.',
      input: { task: z.string().describe('The task the output answers'), output: z.string().describe('The output to check') },
      output: withErrorEnvelope(ValidateOutput),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const verdict = validateOutput(args.task, args.output);
        const summary = verdict.pass ? 'pass' : `fail: ${verdict.issues.map((i) => i.code).join(', ')}`;
        return okResult({ ...verdict }, summary);
      }),
  );
  return server;
}

if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  void serveStdio('model-router', async () => {
    const settings = routerSettingsFromEnv(process.env);
    return createModelRouterServer(settings, await loadModels(settings.modelsPath));
  });
}
