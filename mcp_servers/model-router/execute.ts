/**
 * `execute_prompt`: checks (known model, key present, ceilings) before anything is sent, then the
 * provider call, then the spend record.
 */
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { ToolFailure } from '../shared/result.js';
import type { ModelsFile } from './config.js';
import { costUsd, estimateTokens } from './cost.js';
import { adapterFor } from './providers/index.js';
import type { RouterSettings } from './settings.js';
import type { SpendGate } from './spend-gate.js';
import { recordSpend, spendLedgerFile } from './spend-ledger.js';

export const ExecuteInput = {
  model: z.string().describe('A model name from config/models.json, e.g. "haiku" or the one route_task chose'),
  prompt: z.string().describe('The prompt, sent as one user message'),
  max_tokens: z.number().int().min(1).max(200_000).optional().describe('Reply length limit; default_max_tokens from models.json when omitted'),
};

export const ExecuteOutput = {
  success: z.boolean(),
  response: z.string().describe("The model's reply text"),
  tokens: z.object({ input: z.number(), output: z.number() }),
  latency_ms: z.number(),
  error: z.string().nullable(),
  model: z.string(),
  model_id: z.string().describe("The provider's model id"),
  cost_usd: z.number().describe('From the reported token counts and the prices in models.json'),
  stop_reason: z.string().optional(),
};

export interface ExecuteOutcome {
  success: true;
  response: string;
  tokens: { input: number; output: number };
  latency_ms: number;
  error: null;
  model: string;
  model_id: string;
  cost_usd: number;
  stop_reason?: string;
}

export interface ExecuteDeps {
  readonly settings: RouterSettings;
  readonly models: ModelsFile;
  readonly gate: SpendGate;
}

export interface ExecuteArgs {
  readonly model: string;
  readonly prompt: string;
  readonly max_tokens?: number;
}

export async function runExecutePrompt(deps: ExecuteDeps, args: ExecuteArgs, signal?: AbortSignal): Promise<ExecuteOutcome> {
  const { settings, models } = deps;
  const model = models.models[args.model];
  if (!model) {
    const known = Object.keys(models.models).join(', ');
    throw new ToolFailure('validation', `unknown model "${args.model}"; choose one of ${known} (defined in ${settings.modelsPath})`);
  }
  const apiKey = settings.env[model.api_key_env]?.trim();
  if (!apiKey) {
    throw new ToolFailure('authentication', `${model.api_key_env} is not set; export the API key for model "${args.model}" (${model.provider}) and restart the server`);
  }
  if (args.prompt.trim() === '') throw new ToolFailure('validation', 'prompt is empty; give the text to send to the model');

  const maxTokens = args.max_tokens ?? models.default_max_tokens;
  const inputTokens = estimateTokens(args.prompt);
  // Worst case: the reply uses all of max_tokens. That is what a per-request ceiling must bound.
  const estimatedUsd = costUsd(model, inputTokens, maxTokens);
  const release = await deps.gate.admit({ modelName: args.model, estimatedUsd, inputTokens, outputTokens: maxTokens });

  const baseUrl = (model.base_url_env && settings.env[model.base_url_env]?.trim()) || model.base_url;
  const started = performance.now();
  try {
    const reply = await adapterFor(model.provider)({
      service: `${model.provider === 'anthropic' ? 'Anthropic' : 'OpenAI-compatible API'} (${args.model})`,
      baseUrl,
      apiKey,
      modelId: model.model_id,
      prompt: args.prompt,
      maxTokens,
      timeoutMs: settings.timeoutMs,
      ...(signal ? { signal } : {}),
      now: settings.now,
    });
    const latency = Math.round(performance.now() - started);
    const cost = costUsd(model, reply.inputTokens, reply.outputTokens);
    try {
      await recordSpend(spendLedgerFile(settings.stateDir), {
        at: settings.now().toISOString(),
        model: args.model,
        model_id: model.model_id,
        input_tokens: reply.inputTokens,
        output_tokens: reply.outputTokens,
        cost_usd: cost,
      });
    } catch (error) {
      // The provider answered (and billed): a plain fault would read as "nothing happened".
      throw new ToolFailure('tool_error', `${args.model} answered, but recording its cost in the spend ledger failed: ${(error as Error).message}`, {
        sent: true,
      });
    }
    return {
      success: true,
      response: reply.text,
      tokens: { input: reply.inputTokens, output: reply.outputTokens },
      latency_ms: latency,
      error: null,
      model: args.model,
      model_id: model.model_id,
      cost_usd: cost,
      ...(reply.stopReason ? { stop_reason: reply.stopReason } : {}),
    };
  } finally {
    release();
  }
}
