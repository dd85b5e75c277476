/** The daemon's "said once" notices: one per trouble while its file stays, forgotten when the file goes. */
import { describe, expect, it } from 'vitest';
import { FileNotices } from '../../../src/daemon/notices.js';

describe('FileNotices', () => {
  it('10,000 distinct files that come and go leave nothing behind; each is told once while it stays', () => {
    const notices = new FileNotices();
    let told = 0;
    for (let round = 0; round < 20; round += 1) {
      const files = Array.from({ length: 500 }, (_, i) => `bad-${round}-${i}.md`);
      // Five scans while the files stay: one notice each, not five.
      for (let scan = 0; scan < 5; scan += 1) {
        notices.keepOnly(new Set(files));
        for (const file of files) if (notices.first(file, `cannot claim Approved/${file}`)) told += 1;
      }
      expect(notices.size).toBe(500);
      notices.keepOnly(new Set());
      expect(notices.size).toBe(0);
    }
    expect(told).toBe(10_000);
  });

  it('the same trouble coming back after its file went is told again; another trouble of a file that stays is told too', () => {
    const notices = new FileNotices();
    expect(notices.first('p.md', 'a copy')).toBe(true);
    notices.keepOnly(new Set(['p.md', 'q.md']));
    expect(notices.first('p.md', 'a copy')).toBe(false);
    expect(notices.first('p.md', 'held by node b')).toBe(true);
    notices.keepOnly(new Set(['q.md']));
    expect(notices.size).toBe(0);
    expect(notices.first('p.md', 'a copy')).toBe(true);
  });
});
