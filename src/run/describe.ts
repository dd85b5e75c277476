/** What `check` and a dry run print for a valid plan: each step's resolved server.tool. Pure. */
import type { ValidPlan } from '../plan/validated.js';

export function describeValidPlan(file: string, valid: ValidPlan): string[] {
  const lines = [`${file}: valid, plan ${valid.plan.id}, ${valid.steps.length} step(s) to run (${valid.mode})`];
  const byIndex = new Map<number, string>();
  for (const step of valid.steps) {
    const after = step.dependsOn.length > 0 ? ` after ${step.dependsOn.join(', ')}` : '';
    const action = step.action ? ` (${step.action})` : '';
    byIndex.set(step.index, `  step ${step.index} [${step.id}] ${step.server}.${step.tool}${action}${after}`);
  }
  for (const step of valid.done) byIndex.set(step.index, `  step ${step.index} done already, skipped: ${step.text}`);
  for (const step of valid.manual) byIndex.set(step.index, `  step ${step.index} manual, left for a human: ${step.text}`);
  for (const index of [...byIndex.keys()].sort((a, b) => a - b)) lines.push(byIndex.get(index) as string);
  return lines;
}
