import { describe, expect, it } from 'vitest';
import { ActionSchema } from '../../../src/config/schema.js';
import { matchKeywords } from '../../../src/plan/keywords.js';

const a = (...keywords: string[]) => ActionSchema.parse({ server: 's', tool: 't', keywords });

describe('matchKeywords', () => {
  it('prefers the action whose matching keyword is longest', () => {
    const actions = { generic: a('email'), specific: a('email the invoice') };
    expect(matchKeywords('Email the invoice to Bob', actions)).toEqual({ kind: 'match', action: 'specific', keyword: 'email the invoice' });
    expect(matchKeywords('Email Bob', actions)).toMatchObject({ kind: 'match', action: 'generic' });
  });

  it('breaks a length tie by the number of matching keywords', () => {
    const actions = { one: a('note'), two: a('save', 'note') };
    expect(matchKeywords('save note', actions)).toMatchObject({ kind: 'match', action: 'two' });
  });

  it('reports a tie it cannot break as ambiguous', () => {
    expect(matchKeywords('post it', { x: a('post'), y: a('post') })).toEqual({ kind: 'ambiguous', actions: ['x', 'y'], keyword: 'post' });
  });

  it('needs whole words, but keywords may contain punctuation', () => {
    const actions = { mail: a('e-mail'), post: a('post') };
    expect(matchKeywords('Send an E-Mail now', actions)).toMatchObject({ action: 'mail' });
    expect(matchKeywords('Postpone it', actions)).toEqual({ kind: 'none' });
  });

  it('matches nothing for empty text or actions without keywords', () => {
    expect(matchKeywords('  ', { x: a('post') })).toEqual({ kind: 'none' });
    expect(matchKeywords('post', { x: a() })).toEqual({ kind: 'none' });
  });
});
