/** `check <plan.md>...`: parse, map and validate each plan against the live tool schemas; call nothing. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { formatProblem } from '../../plan/problems.js';
import { describeValidPlan } from '../../run/describe.js';
import { preparePlan } from '../../run/prepare.js';
import { describeError } from '../describe-error.js';
import { EXIT, type ExitCode, type Io } from '../io.js';
import type { Runtime } from '../runtime.js';

export async function checkCommand(files: readonly string[], runtime: Runtime, io: Io): Promise<ExitCode> {
  let code: ExitCode = EXIT.ok;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      io.err(`${file}: cannot read: ${describeError(error)}`);
      code = EXIT.usage;
      continue;
    }
    const prepared = await preparePlan(bytes, path.basename(file), { ...runtime, catalog: runtime.pool });
    if (prepared.ok) {
      for (const line of describeValidPlan(file, prepared.plan)) io.out(line);
      continue;
    }
    if (code === EXIT.ok) code = EXIT.failed;
    const count = prepared.problems.length;
    io.out(`${file}: invalid, ${count} problem${count === 1 ? '' : 's'}:`);
    for (const problem of prepared.problems) io.out(`  ${formatProblem({ ...problem, file })}`);
  }
  return code;
}
