import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { diskPlanFile, PlanFileWriter, type PlanFileStore } from '../../../src/run/plan-file.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orch-plan-file-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PLAN = '---\nstatus: in_progress\n---\n# Plan\n\n- [ ] send it\n';

describe('PlanFileWriter over the disk', () => {
  it('never undoes an edit made between its read and its rename: it reads the edit and applies its change to it', async () => {
    const file = path.join(dir, 'plan.md');
    await writeFile(file, PLAN);
    const disk = diskPlanFile(file);
    let edited = false;
    const store: PlanFileStore = {
      ...disk,
      async write(text, readAs, mode) {
        if (!edited) {
          edited = true; // a human saves the file after the daemon read it
          await writeFile(file, PLAN.replace('# Plan\n', '# Plan\nA note from a human.\n'));
        }
        await disk.write(text, readAs, mode);
      },
    };
    await new PlanFileWriter(store).update({ fields: { status: 'done' }, logLines: ['step 1 done'] });
    const text = await readFile(file, 'utf8');
    expect(text).toContain('A note from a human.');
    expect(text).toContain('status: done');
    expect(text).toContain('step 1 done');
  });

  it('keeps the file’s permission bits, read with its content', async () => {
    const file = path.join(dir, 'plan.md');
    await writeFile(file, PLAN);
    await chmod(file, 0o640);
    await new PlanFileWriter(diskPlanFile(file)).update({ fields: { status: 'done' } });
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readFile(file, 'utf8')).toContain('status: done');
  });
});
