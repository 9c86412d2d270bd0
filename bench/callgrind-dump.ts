/** Reading callgrind's dumps (`--compress-strings=no`), for bench/instructions.ts and bench/instructions-breakdown.ts. */

export interface CallgrindCosts {
  /** The dump's `totals:` line; undefined while callgrind is still writing it (the line is the last). */
  total?: number;
  /** Each function's own instructions, not those of what it calls. */
  own: Map<string, number>;
  /** Each function's instructions with those of what it calls (a recursive call is counted once). */
  inclusive: Map<string, number>;
}

/** The costs in `text`, each function counted under `nameOf(its name in the dump)` (V8's perf map names JIT code). */
export function callgrindCosts(text: string, nameOf: (fn: string) => string = (fn) => fn): CallgrindCosts {
  const own = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, cost: number) => map.set(key, (map.get(key) ?? 0) + cost);
  let total: number | undefined;
  let current = '';
  let callee = '';
  let inCall = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('fn=')) {
      current = nameOf(line.slice(3).trim());
      inCall = false;
    } else if (line.startsWith('cfn=')) callee = nameOf(line.slice(4).trim());
    else if (line.startsWith('calls=')) inCall = true; // the next cost line is the call's inclusive cost
    else if (/^\d/.test(line)) {
      const cost = Number(line.slice(line.indexOf(' ') + 1));
      if (!inCall) add(own, current, cost);
      if (!inCall || callee !== current) add(inclusive, current, cost);
      inCall = false;
    } else if (line.startsWith('totals:')) total = Number(line.slice(7));
  }
  return { total, own, inclusive };
}
