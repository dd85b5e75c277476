/**
 * `config/models.json`: the models the router may pick, how to reach each, what it costs and which
 * complexity scores it serves. Validated with zod at start; a bad file stops the server with one line.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name like ANTHROPIC_API_KEY');
const Score = z.number().int().min(0).max(100);

export const ModelSchema = z.strictObject({
  description: z.string().optional(),
  provider: z.enum(['anthropic', 'openai-compatible']),
  model_id: z.string().min(1),
  base_url: z.url({ protocol: /^https?$/ }),
  base_url_env: EnvName.optional(),
  api_key_env: EnvName,
  price_per_million_tokens: z.strictObject({ input: z.number().nonnegative(), output: z.number().nonnegative() }),
  score_range: z.tuple([Score, Score]).refine(([min, max]) => min <= max, 'min must not exceed max'),
});
export type ModelConfig = z.infer<typeof ModelSchema>;

export const ModelsFileSchema = z
  .strictObject({
    $comment: z.string().optional(),
    default_max_tokens: z.number().int().positive().default(1024),
    models: z.record(z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'model names are lower-case words like "sonnet"'), ModelSchema),
  })
  .superRefine((file, ctx) => {
    const problem = coverageProblem(file.models);
    if (problem) ctx.addIssue({ code: 'custom', path: ['models'], message: problem });
  });
export type ModelsFile = z.infer<typeof ModelsFileSchema>;

/** Score ranges must tile 0..100 exactly, so every score has exactly one model. */
function coverageProblem(models: Record<string, ModelConfig>): string | undefined {
  const ranges = Object.entries(models)
    .map(([name, model]) => ({ name, min: model.score_range[0], max: model.score_range[1] }))
    .sort((a, b) => a.min - b.min);
  if (ranges.length === 0) return 'no models are defined';
  let next = 0;
  for (const range of ranges) {
    if (range.min > next) return `no model covers scores ${next}..${range.min - 1}; widen a score_range`;
    if (range.min < next) return `score_range of "${range.name}" overlaps the previous model's at ${range.min}`;
    next = range.max + 1;
  }
  if (next <= 100) return `no model covers scores ${next}..100; widen a score_range`;
  return undefined;
}

/** `<repo>/config/models.json`, found from this file's place in `dist/mcp_servers/model-router/`. */
export function defaultModelsPath(): string {
  return fileURLToPath(new URL('../../../config/models.json', import.meta.url));
}

/** Reads and validates the file; throws an Error with one line naming the file, the field and the fix. */
export async function loadModels(file: string): Promise<ModelsFile> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read models config ${file}: ${(error as Error).message}; set MODELS_CONFIG to the models.json to use`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    throw new Error(`models config ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = ModelsFileSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top)'}: ${issue.message}`);
    throw new Error(`models config ${file} is invalid — ${issues.join('; ')}; fix the file or set MODELS_CONFIG to a valid one`);
  }
  return parsed.data;
}
