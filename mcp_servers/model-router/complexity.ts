/**
 * The complexity score of a task, 0..100, as a pure function of the task text and its context. Every
 * point comes from a named factor, so the caller can see why a task got its score:
 *   length          +1 per 10 words, at most +20 (long briefs carry more requirements)
 *   hard topics     +12 per topic (architecture, refactor, security, ...), at most +36
 *   moderate work   +5 per kind (implement, analyse, review, ...), at most +15
 *   simple work     -5 per kind (summarise, translate, format, ...), at most -10
 *   steps           +3 per step beyond the first (numbered or bulleted lines, "then"), at most +12
 *   files_count     +2 per file beyond the first, at most +20
 *   requires_tests  +10
 *   subsystems      +8 per subsystem beyond the first, at most +20
 * The sum is clamped to 0..100 and rounded.
 */

export interface TaskContext {
  readonly files_count?: number;
  readonly requires_tests?: boolean;
  /** How many subsystems, or their names. */
  readonly subsystems?: number | readonly string[];
}

export interface ComplexityFactor {
  readonly factor: string;
  readonly points: number;
  readonly detail: string;
}

export interface Complexity {
  readonly score: number;
  /** Only the factors that contributed (non-zero points), in the order above. */
  readonly factors: ComplexityFactor[];
}

const HARD_TOPICS: ReadonlyArray<readonly [string, RegExp]> = [
  ['architecture', /\barchitect/i],
  ['refactor', /\brefactor/i],
  ['security', /\b(secur|vulnerab|exploit|threat model)/i],
  ['migration', /\bmigrat/i],
  ['distributed systems', /\b(distributed|microservice|consensus)/i],
  ['concurrency', /\b(concurren|race condition|deadlock|parallel)/i],
  ['performance', /\b(performance|optimi[sz]|scalab|latency)/i],
  ['cryptography', /\b(crypt|encrypt|signature)/i],
  ['algorithms', /\balgorithm/i],
  ['auth', /\b(authentica|authoriz|authoris|oauth)/i],
  ['compliance', /\b(compliance|gdpr|hipaa|legal)/i],
  ['debugging', /\b(debug|root cause|stack trace)/i],
];

const MODERATE_WORK: ReadonlyArray<readonly [string, RegExp]> = [
  ['implement', /\b(implement|build|develop)/i],
  ['analyse', /\b(analy[sz]|investigat|research|evaluat)/i],
  ['review', /\b(review|audit|critique)/i],
  ['compare', /\b(compare|trade-?offs?)/i],
  ['plan', /\b(plan|design|strategy|proposal)/i],
  ['integrate', /\b(integrat|api|database|schema)/i],
  ['test', /\b(tests?|testing)\b/i],
];

const SIMPLE_WORK: ReadonlyArray<readonly [string, RegExp]> = [
  ['summarise', /\b(summar|tl;?dr)/i],
  ['translate', /\btranslat/i],
  ['format', /\b(format|reformat|rephrase|proofread|spell|typo)/i],
  ['short answer', /\b(one (sentence|line|word)|short|brief|quick)/i],
  ['rename', /\brename/i],
  ['greeting', /\b(greet|thank[- ]you|acknowledg)/i],
];

function matching(task: string, table: ReadonlyArray<readonly [string, RegExp]>): string[] {
  return table.filter(([, pattern]) => pattern.test(task)).map(([name]) => name);
}

function countSteps(task: string): number {
  const listed = task.split('\n').filter((line) => /^\s*(\d+[.)]|[-*•])\s+\S/.test(line)).length;
  const chained = (task.match(/\b(and then|then|after that|afterwards|finally)\b/gi) ?? []).length;
  return Math.max(1, listed, chained + 1);
}

export function scoreComplexity(task: string, context: TaskContext = {}): Complexity {
  const factors: ComplexityFactor[] = [];
  const add = (factor: string, points: number, detail: string): void => {
    if (points !== 0) factors.push({ factor, points, detail });
  };

  const words = task.split(/\s+/).filter(Boolean).length;
  add('length', Math.min(20, Math.floor(words / 10)), `${words} words`);

  const hard = matching(task, HARD_TOPICS);
  add('hard_topics', Math.min(36, 12 * hard.length), hard.join(', '));
  const moderate = matching(task, MODERATE_WORK);
  add('moderate_work', Math.min(15, 5 * moderate.length), moderate.join(', '));
  const simple = matching(task, SIMPLE_WORK);
  add('simple_work', -Math.min(10, 5 * simple.length), simple.join(', '));

  const steps = countSteps(task);
  add('steps', Math.min(12, 3 * (steps - 1)), `${steps} steps`);

  const files = context.files_count ?? 0;
  add('files_count', Math.min(20, 2 * Math.max(0, files - 1)), `${files} files`);
  if (context.requires_tests) add('requires_tests', 10, 'tests must be written or pass');

  const subsystems = context.subsystems;
  const subsystemCount = typeof subsystems === 'number' ? subsystems : (subsystems?.length ?? 0);
  const names = Array.isArray(subsystems) ? ` (${subsystems.join(', ')})` : '';
  add('subsystems', Math.min(20, 8 * Math.max(0, subsystemCount - 1)), `${subsystemCount} subsystems${names}`);

  const sum = factors.reduce((total, f) => total + f.points, 0);
  return { score: Math.round(Math.min(100, Math.max(0, sum))), factors };
}
