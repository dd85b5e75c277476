/**
 * From a complexity score to a model choice, with a confidence and a cost estimate. Pure.
 */
import type { ModelConfig, ModelsFile } from './config.js';
import { costUsd, estimateTokens } from './cost.js';
import { scoreComplexity, type ComplexityFactor, type TaskContext } from './complexity.js';

export interface Route {
  readonly model: string;
  readonly complexity_score: number;
  readonly complexity_factors: ComplexityFactor[];
  readonly reason: string;
  readonly confidence: number;
  readonly estimated_cost: number;
  readonly estimated_tokens: { input: number; output: number };
  readonly score_range: [number, number];
}

export function modelForScore(models: ModelsFile['models'], score: number): [string, ModelConfig] {
  const found = Object.entries(models).find(([, m]) => m.score_range[0] <= score && score <= m.score_range[1]);
  // models.json is validated to cover 0..100, so this only fires on a programming error.
  if (!found) throw new Error(`no model in models.json covers complexity score ${score}`);
  return found;
}

/**
 * Confidence that the chosen model is the right one: high in the middle of its range, lower next to a
 * boundary with another model (where the neighbour would fit almost as well). 0 and 100 are not
 * boundaries with anyone. Between 0.6 and 0.95.
 */
export function routeConfidence(score: number, [min, max]: [number, number]): number {
  const below = min === 0 ? Infinity : score - min;
  const above = max === 100 ? Infinity : max - score;
  const half = Math.max(1, (max - min) / 2);
  const closeness = Math.min(1, Math.min(below, above) / half);
  return Math.round((0.6 + 0.35 * closeness) * 100) / 100;
}

/** Expected reply length grows with complexity: ~150 tokens for a trivial task, capped by max_tokens. */
export function expectedOutputTokens(score: number, maxTokens: number): number {
  return Math.min(maxTokens, 150 + 20 * score);
}

export function routeTask(
  config: ModelsFile,
  task: string,
  context: TaskContext | undefined,
  keyIsSet: (variable: string) => boolean,
): Route {
  const { score, factors } = scoreComplexity(task, context);
  const [name, model] = modelForScore(config.models, score);
  const input = estimateTokens(task);
  const output = expectedOutputTokens(score, config.default_max_tokens);
  const parts = factors.map((f) => `${f.factor} ${f.points > 0 ? '+' : ''}${f.points} (${f.detail})`);
  const explained = parts.length > 0 ? parts.join(', ') : 'no complexity signals';
  let reason = `complexity ${score}/100 from ${explained}; ${name} serves scores ${model.score_range[0]}-${model.score_range[1]}`;
  if (!keyIsSet(model.api_key_env)) reason += `; note: ${model.api_key_env} is not set, so execute_prompt with ${name} will fail until it is`;
  return {
    model: name,
    complexity_score: score,
    complexity_factors: factors,
    reason,
    confidence: routeConfidence(score, model.score_range),
    estimated_cost: costUsd(model, input, output),
    estimated_tokens: { input, output },
    score_range: model.score_range,
  };
}
