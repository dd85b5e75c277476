/**
 * Dependency cycles among steps. Iterative Tarjan SCC, so a long chain cannot overflow the stack.
 * Returns each cycle as ids in file order, starting and ending with the same id; a self-loop is a
 * one-step cycle.
 */
export function findCycles(order: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let counter = 0;
  const position = new Map(order.map((id, i) => [id, i]));

  for (const start of order) {
    if (index.has(start)) continue;
    const work: { id: string; next: number }[] = [{ id: start, next: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const targets = (edges.get(frame.id) ?? []).filter((t) => position.has(t));
      if (frame.next < targets.length) {
        const t = targets[frame.next++]!;
        if (!index.has(t)) {
          index.set(t, counter);
          low.set(t, counter++);
          stack.push(t);
          onStack.add(t);
          work.push({ id: t, next: 0 });
        } else if (onStack.has(t)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(t)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
      if (low.get(frame.id) === index.get(frame.id)) {
        const scc: string[] = [];
        let id: string | undefined;
        do {
          id = stack.pop()!;
          onStack.delete(id);
          scc.push(id);
        } while (id !== frame.id);
        const selfLoop = scc.length === 1 && (edges.get(frame.id) ?? []).includes(frame.id);
        if (scc.length > 1 || selfLoop) sccs.push(scc.sort((a, b) => position.get(a)! - position.get(b)!));
      }
    }
  }
  return sccs.sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!).map((ids) => cyclePath(ids, edges));
}

/** Orders a strongly connected set as an actual walk a → b → … → a, so the message reads as a loop. */
function cyclePath(ids: readonly string[], edges: ReadonlyMap<string, readonly string[]>): string[] {
  const members = new Set(ids);
  const first = ids[0]!;
  const path = [first];
  const seen = new Set([first]);
  let cur = first;
  for (;;) {
    const out = (edges.get(cur) ?? []).filter((t) => members.has(t));
    const next = out.find((t) => !seen.has(t)) ?? (out.includes(first) ? first : out[0]);
    if (next === undefined || next === first || seen.has(next)) {
      path.push(next === undefined || !seen.has(next) ? first : next);
      return path;
    }
    path.push(next);
    seen.add(next);
    cur = next;
  }
}
