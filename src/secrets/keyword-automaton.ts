/**
 * An Aho-Corasick automaton over ASCII, case-insensitive: finds every keyword of every rule in one
 * left-to-right pass, one table lookup per character, whatever the number of keywords. Letters map to
 * their lower case inside the table, so the text is never lower-cased or copied. Non-ASCII characters
 * reset the automaton (keywords are ASCII).
 */

const ALPHABET = 128;

export class KeywordAutomaton {
  /** delta[state * 128 + char] → next state (a complete DFA: fail links folded in). */
  private readonly delta: Int32Array;
  /** For each state: the payload ids of every keyword ending here (own and via suffix links), or undefined. */
  private readonly outputs: ReadonlyArray<readonly number[] | undefined>;
  /** Length of the longest keyword ending at a state (to locate the hit's start). */
  private readonly depth: Int32Array;

  /** `keywords[i]` maps to the payload ids `payloads[i]` (e.g. rule indexes). */
  constructor(keywords: readonly string[], payloads: readonly (readonly number[])[]) {
    const goto: Array<Map<number, number>> = [new Map()];
    const own: Array<Set<number>> = [new Set()];
    const depth: number[] = [0];
    keywords.forEach((kw, k) => {
      let s = 0;
      for (const ch of kw.toLowerCase()) {
        const c = ch.charCodeAt(0);
        if (c >= ALPHABET) throw new Error(`keyword "${kw}" is not ASCII`);
        let next = goto[s]?.get(c);
        if (next === undefined) {
          next = goto.length;
          goto.push(new Map());
          own.push(new Set());
          depth.push((depth[s] as number) + 1);
          goto[s]?.set(c, next);
        }
        s = next;
      }
      for (const p of payloads[k] ?? []) own[s]?.add(p);
    });
    const n = goto.length;
    const delta = new Int32Array(n * ALPHABET);
    const fail = new Int32Array(n);
    const out: Array<Set<number>> = own.map((s) => new Set(s));
    const outDepth = Int32Array.from(depth.map((d, i) => ((own[i]?.size ?? 0) > 0 ? d : 0)));
    // Breadth-first: a state's fail target is always processed before it.
    const queue: number[] = [];
    for (let c = 0; c < ALPHABET; c++) {
      const next = goto[0]?.get(c);
      if (next !== undefined) {
        delta[c] = next;
        queue.push(next);
      }
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const f = fail[s] as number;
      for (const p of out[f] ?? []) out[s]?.add(p);
      if ((outDepth[s] as number) === 0) outDepth[s] = outDepth[f] as number;
      // Every character moves like from the fail state (whose row is complete: it is shallower)…
      delta.copyWithin(s * ALPHABET, f * ALPHABET, f * ALPHABET + ALPHABET);
      // …except the state's own edges.
      for (const [c, next] of goto[s] ?? []) {
        fail[next] = delta[f * ALPHABET + c] as number;
        delta[s * ALPHABET + c] = next;
        queue.push(next);
      }
    }
    // Case-insensitive: an upper-case letter moves like its lower-case twin.
    for (let s = 0; s < n; s++) {
      for (let c = 65; c <= 90; c++) delta[s * ALPHABET + c] = delta[s * ALPHABET + c + 32] as number;
    }
    this.delta = delta;
    this.depth = outDepth;
    this.outputs = out.map((s) => (s.size > 0 ? [...s].sort((a, b) => a - b) : undefined));
  }

  /**
   * Call `onHit(start, payloads)` for each position in `text[from, to)` where a keyword ends; `start`
   * is where the longest keyword ending there begins.
   */
  scan(
    text: string,
    from: number,
    to: number,
    onHit: (start: number, payloads: readonly number[]) => void,
  ): void {
    const delta = this.delta;
    const outputs = this.outputs;
    let s = 0;
    for (let i = from; i < to; i++) {
      const c = text.charCodeAt(i);
      if (c >= ALPHABET) {
        s = 0;
        continue;
      }
      s = delta[s * ALPHABET + c] as number;
      const out = outputs[s];
      if (out !== undefined) onHit(i + 1 - (this.depth[s] as number), out);
    }
  }
}
