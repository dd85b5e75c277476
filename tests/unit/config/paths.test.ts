import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfigPath, resolveConfigRelative } from '../../../src/config/paths.js';

describe('resolveConfigPath', () => {
  it('prefers --config, then ORCHESTRATOR_CONFIG, then config/orchestrator.json under cwd', () => {
    const env = { ORCHESTRATOR_CONFIG: 'env.json' };
    expect(resolveConfigPath('opt.json', env, '/w')).toBe(path.resolve('/w/opt.json'));
    expect(resolveConfigPath(undefined, env, '/w')).toBe(path.resolve('/w/env.json'));
    expect(resolveConfigPath(undefined, { ORCHESTRATOR_CONFIG: '' }, '/w')).toBe(path.resolve('/w/config/orchestrator.json'));
    expect(resolveConfigPath('/abs/c.json', env, '/w')).toBe(path.resolve('/abs/c.json'));
  });

  it('expands ~ to the home directory', () => {
    expect(resolveConfigPath('~/c.json', { HOME: '/home/u' }, '/w')).toBe(path.resolve('/home/u/c.json'));
    expect(resolveConfigRelative('~', '/w', { HOME: '/home/u' })).toBe(path.resolve('/home/u'));
  });
});
