/** Secrets by origin (SPEC §8): the values variables put into the configuration, and their mask. */
import { describe, expect, it } from 'vitest';
import { StepError } from '../../../src/core/errors.js';
import { maskKnown, maskKnownText } from '../../../src/core/sanitize.js';
import { expandVariables } from '../../../src/config/expand.js';

describe('expandVariables: values from the environment', () => {
  it('lists what each named variable put in, not defaults written in the file nor predefined folders', () => {
    const result = expandVariables(
      { a: '${RT_SECRET}', b: ['x ${env:OTHER} y'], c: '${UNSET:-written-default}', d: '${input:api}', e: '${workspaceFolder}' },
      { RT_SECRET: 'secret-one', OTHER: 'secret-two', MCP_INPUT_API: 'secret-three' },
      { workspaceFolder: '/work/project' },
    );
    expect(Object.fromEntries(result.fromEnv)).toEqual({ RT_SECRET: 'secret-one', OTHER: 'secret-two', MCP_INPUT_API: 'secret-three' });
  });
});

describe('maskKnown', () => {
  const secrets = ['s3cr"et-value'];

  it('masks under any key, in keys, nested, as JSON escapes it and URL-encoded', () => {
    const masked = maskKnown({ tag: 's3cr"et-value', list: [{ note: 'a s3cr"et-value b' }], 's3cr"et-value': 1 }, secrets);
    expect(masked).toEqual({ tag: '[REDACTED]', list: [{ note: 'a [REDACTED] b' }], '[REDACTED]': 1 });
    expect(maskKnownText(JSON.stringify({ tag: 's3cr"et-value' }), secrets)).toBe('{"tag":"[REDACTED]"}');
    expect(maskKnownText(`?q=${encodeURIComponent('s3cr"et-value')}`, secrets)).toBe('?q=[REDACTED]');
  });

  it('keeps prototypes (a StepError stays one, with its fields) and Dates, and returns the value itself with no secrets', () => {
    const error = new StepError('tool_error', 'failed for s3cr"et-value', false, 5);
    const at = new Date('2026-02-05T11:00:00Z');
    const masked = maskKnown({ error, at }, secrets);
    expect(masked.error).toBeInstanceOf(StepError);
    expect(masked.error).toMatchObject({ type: 'tool_error', sent: false, retryAfterMs: 5, message: 'failed for [REDACTED]' });
    expect(masked.at).toBe(at);
    const value = { a: 1 };
    expect(maskKnown(value, [])).toBe(value);
  });
});

describe('loadConfig: the values to mask', () => {
  it('every variable the file names, except session paths and plain numbers', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const { loadConfig } = await import('../../../src/config/load.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'orch-env-'));
    try {
      const file = path.join(dir, 'orchestrator.json');
      const env = { API: '${RT_SECRET}', HOMEDIR: '${HOME}', N: '${TIMEOUT}', SHORT: '${PIN}' };
      await writeFile(file, JSON.stringify({ vault: './vault', logs: './logs', state: './state', mcpServers: { s: { command: 'node', args: [], env } }, actions: {} }));
      const config = await loadConfig(file, { RT_SECRET: 'rt-secret-value', HOME: '/home/someone', TIMEOUT: '120000', PIN: '1234' });
      expect(config.envValues).toEqual(['rt-secret-value']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
