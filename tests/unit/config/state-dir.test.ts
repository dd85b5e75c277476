import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { oauthDir, stateRoot } from '../../../src/config/state-dir.js';

describe('stateRoot', () => {
  it('is $ORCHESTRATOR_STATE_DIR, else $XDG_STATE_HOME/mcp-orchestrator, else ~/.local/state/mcp-orchestrator', () => {
    expect(stateRoot({ ORCHESTRATOR_STATE_DIR: '/srv/orch', XDG_STATE_HOME: '/x', HOME: '/home/me' })).toBe('/srv/orch');
    expect(stateRoot({ XDG_STATE_HOME: '/x/state', HOME: '/home/me' })).toBe('/x/state/mcp-orchestrator');
    expect(stateRoot({ HOME: '/home/me' })).toBe('/home/me/.local/state/mcp-orchestrator');
  });

  it('ignores empty values and a relative XDG_STATE_HOME (the XDG spec says it is invalid)', () => {
    expect(stateRoot({ ORCHESTRATOR_STATE_DIR: ' ', XDG_STATE_HOME: 'relative/state', HOME: '/home/me' })).toBe('/home/me/.local/state/mcp-orchestrator');
  });

  it('keeps OAuth files in oauth/ under it', () => {
    expect(oauthDir({ ORCHESTRATOR_STATE_DIR: '/srv/orch' })).toBe(path.join('/srv/orch', 'oauth'));
  });
});
