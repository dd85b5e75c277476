/**
 * The model router's settings, read once from the environment at start.
 */
import path from 'node:path';
import { clockFromEnv, positiveInt, stateDirFromEnv } from '../shared/env.js';
import { vaultRootFromEnv } from '../shared/vault-path.js';
import { defaultModelsPath } from './config.js';
import type { Ceilings } from './cost.js';

export interface RouterSettings {
  readonly modelsPath: string;
  readonly stateDir: string;
  readonly ceilings: Ceilings;
  readonly timeoutMs: number;
  readonly now: () => Date;
  /** The environment, for API keys and base URL overrides. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

export function routerSettingsFromEnv(env: NodeJS.ProcessEnv): RouterSettings {
  const maxPerRequest = dollars(env.MCP_MAX_COST_PER_REQUEST, 'MCP_MAX_COST_PER_REQUEST');
  const dailyLimit = dollars(env.MCP_DAILY_LIMIT, 'MCP_DAILY_LIMIT');
  return {
    modelsPath: env.MODELS_CONFIG?.trim() ? path.resolve(env.MODELS_CONFIG.trim()) : defaultModelsPath(),
    stateDir: stateDirFromEnv(env, vaultRootFromEnv(env)),
    ceilings: {
      ...(maxPerRequest === undefined ? {} : { maxPerRequest }),
      ...(dailyLimit === undefined ? {} : { dailyLimit }),
    },
    timeoutMs: positiveInt(env.MODEL_ROUTER_TIMEOUT_MS, 'MODEL_ROUTER_TIMEOUT_MS', 120_000),
    now: clockFromEnv(env),
    env: { ...env },
  };
}

function dollars(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} "${raw}" is not an amount in US dollars; set it like 0.50 or unset it`);
  return value;
}
