/**
 * The detection engine. One pass per text:
 *
 * 1. every rule's keywords are searched at once (an Aho-Corasick automaton, case-insensitive);
 * 2. only rules whose keyword occurs run their regex, and only on a window around each hit (the
 *    keyword's line, clipped to a few hundred characters; multi-line rules such as PEM keys look further);
 * 3. candidates pass the rule's allowlist, the entropy gate, placeholder checks, `requires` and the
 *    validator, then an inline `bulwark:allow` check;
 * 4. line and column are computed only for findings.
 *
 * Input arrives in chunks (bytes or text). The engine keeps a bounded buffer with enough overlap for the
 * widest window, so a 1 GB single-line file costs the same memory as a small one. The raw secret never
 * leaves this module: findings carry a {@link RedactedSecret}.
 */
import { shannonEntropy } from './entropy.js';
import { isPlaceholder, isDocumentationLine } from './placeholder.js';
import { redact } from './redact.js';
import { KeywordAutomaton } from './keyword-automaton.js';
import { BUILTIN_RULES } from './rules/index.js';
import type { RedactedSecret, SecretRule, TextFinding } from './types.js';
import { maxOf } from '../util/arrays.js';

/** Characters of context before a keyword hit that a rule's regex may see. */
const BACK = 512;
/** Characters after a keyword hit that a single-line rule's regex may see. */
const FORWARD = 768;
/** Characters processed per round; the buffer holds about this much plus the overlap. */
const ROUND = 512 * 1024;
const INLINE_ALLOW = 'bulwark:allow';
/** A binary file has a NUL byte in its first block (the heuristic git and grep use). */
const SNIFF_BYTES = 8000;

export interface EngineOptions {
  /** Defaults to the built-in rules. */
  readonly rules?: readonly SecretRule[];
  /** A candidate whose secret matches any of these is not a finding (config `allowlist.regexes`). */
  readonly allowRegexes?: readonly RegExp[];
  /** Stop reporting after this many findings in one text. */
  readonly maxFindingsPerText?: number;
}

export interface ScannerOptions {
  /** Treat input as binary and ignore it if a NUL byte occurs in the first 8000 bytes. */
  readonly sniffBinary?: boolean;
  /** Ignore input past this many bytes (the scanner reports `truncated`). */
  readonly maxBytes?: number;
}

interface CompiledRule {
  readonly rule: SecretRule;
  readonly index: number;
  readonly regex: RegExp;
  readonly forward: number;
}

interface Candidate {
  readonly compiled: CompiledRule;
  readonly start: number;
  readonly end: number;
  readonly secretStart: number;
  readonly secretEnd: number;
  readonly secret: string;
}

/** A compiled rule set; create once, then one {@link TextScanner} per text. */
export class SecretEngine {
  readonly rules: readonly SecretRule[];
  /** @internal */ readonly compiled: readonly CompiledRule[];
  /** @internal */ readonly automaton: KeywordAutomaton;
  /** @internal */ readonly maxKeyword: number;
  /** @internal */ readonly allowRegexes: readonly RegExp[];
  /** @internal */ readonly maxForward: number;
  /** @internal */ readonly maxFindings: number;

  constructor(options: EngineOptions = {}) {
    this.rules = options.rules ?? BUILTIN_RULES;
    this.allowRegexes = options.allowRegexes ?? [];
    this.maxFindings = options.maxFindingsPerText ?? 1000;
    this.compiled = this.rules.map((rule, index) => {
      const flags = new Set([...rule.regex.flags.replace(/[gy]/g, ''), 'g', 'd']);
      return {
        rule,
        index,
        regex: new RegExp(rule.regex.source, [...flags].join('')),
        forward: Math.max(FORWARD, rule.span ?? 0),
      };
    });
    this.maxForward = maxOf(
      this.compiled.map((c) => c.forward),
      FORWARD,
    );
    const direct = new Map<string, Set<number>>();
    for (const c of this.compiled) {
      for (const kw of c.rule.keywords) {
        const key = kw.toLowerCase();
        if (!direct.has(key)) direct.set(key, new Set());
        direct.get(key)?.add(c.index);
      }
    }
    const byKeyword = new Map([...direct].map(([kw, ids]) => [kw, [...ids]]));
    this.automaton = new KeywordAutomaton([...byKeyword.keys()], [...byKeyword.values()]);
    this.maxKeyword = maxOf(
      [...byKeyword.keys()].map((k) => k.length),
      1,
    );
  }

  /** A streaming scanner for one text (file, diff, config value). */
  scanner(options: ScannerOptions = {}): TextScanner {
    return new TextScanner(this, options);
  }

  /** Scan a complete string. */
  scanText(text: string): TextFinding[] {
    const s = this.scanner();
    s.writeText(text);
    return s.end();
  }

  /**
   * `text` with every secret the rules find replaced by its redacted form (`ghp_…(40 chars, fp …)`,
   * as the secrets reports show it). This is how free text that may hold credentials — image history,
   * labels, commands — is made printable; the raw values never leave this module.
   */
  maskText(text: string): string {
    const s = new TextScanner(this, {}, true);
    s.writeText(text);
    s.end();
    const spans = s.spans.sort((a, b) => a.start - b.start || b.end - a.end);
    if (spans.length === 0) return text;
    let out = '';
    let at = 0;
    for (const span of spans) {
      // Overlapping matches (two rules on one value) are masked once, up to the furthest end.
      if (span.start < at) {
        if (span.end > at) at = span.end;
        continue;
      }
      out += text.slice(at, span.start) + maskedForm(span.secret);
      at = span.end;
    }
    return out + text.slice(at);
  }
}

/** The printable stand-in for a secret inside other text: preview, length and fingerprint. */
export function maskedForm(secret: RedactedSecret): string {
  return `${secret.preview}(${secret.length} chars, fp ${secret.fingerprint})`;
}

interface MaskSpan {
  readonly start: number;
  readonly end: number;
  readonly secret: RedactedSecret;
}

/** Scans one text delivered in chunks. Call {@link write} / {@link writeText}, then {@link end} once. */
export class TextScanner {
  private readonly engine: SecretEngine;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: false });
  private readonly sniff: boolean;
  private readonly maxBytes: number;
  private buf = '';
  private bufStart = 0;
  private processed = 0;
  private bytesSeen = 0;
  private sniffed = false;
  private ended = false;
  // Lazy line tracking: the line number and last newline at `cursor` (absolute offsets).
  private cursor = 0;
  private cursorLine = 1;
  private cursorLastNl = -1;
  private readonly seen = new Set<string>();
  /** Secret spans (absolute offsets) already reported: one value is one finding. */
  private readonly acceptedSpans: Array<[number, number]> = [];
  private readonly findings: TextFinding[] = [];
  /** True when a NUL byte marked the input as binary; nothing was scanned. */
  binary = false;
  /** True when input past `maxBytes` was ignored. */
  truncated = false;
  /** @internal Secret spans (absolute offsets) of the findings, kept only for {@link SecretEngine.maskText}. */
  readonly spans: MaskSpan[] = [];
  private readonly keepSpans: boolean;

  constructor(engine: SecretEngine, options: ScannerOptions, keepSpans = false) {
    this.engine = engine;
    this.keepSpans = keepSpans;
    this.sniff = options.sniffBinary ?? false;
    this.maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  }

  /** Bytes of UTF-8 text (invalid sequences become U+FFFD). */
  write(chunk: Uint8Array): void {
    if (this.ended || this.binary || chunk.length === 0) return;
    let bytes = chunk;
    if (this.sniff && !this.sniffed) {
      const head = bytes.subarray(0, Math.max(0, SNIFF_BYTES - this.bytesSeen));
      if (head.includes(0)) {
        this.binary = true;
        this.buf = '';
        return;
      }
      if (this.bytesSeen + bytes.length >= SNIFF_BYTES) this.sniffed = true;
    }
    if (this.bytesSeen + bytes.length > this.maxBytes) {
      bytes = bytes.subarray(0, Math.max(0, this.maxBytes - this.bytesSeen));
      this.truncated = true;
    }
    this.bytesSeen += bytes.length;
    if (bytes.length > 0) this.append(this.decoder.decode(bytes, { stream: true }));
  }

  writeText(text: string): void {
    if (this.ended || this.binary) return;
    this.append(text);
  }

  get bytes(): number {
    return this.bytesSeen;
  }

  /** Finish; returns the findings sorted by position. Binary input yields none. */
  end(): TextFinding[] {
    if (this.ended) return this.findings;
    this.ended = true;
    if (this.binary) return [];
    this.append(this.decoder.decode());
    this.round(true);
    this.buf = '';
    this.findings.sort(
      (a, b) =>
        a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
    );
    return this.findings;
  }

  private append(text: string): void {
    if (text.length === 0) return;
    this.buf += text;
    if (this.bufStart + this.buf.length - this.processed >= ROUND + this.engine.maxForward) this.round(false);
  }

  private round(final: boolean): void {
    const engine = this.engine;
    const bufEnd = this.bufStart + this.buf.length;
    const limit = final ? bufEnd : bufEnd - engine.maxForward;
    if (limit <= this.processed) return;
    const buf = this.buf;
    const from = this.processed - this.bufStart;
    const localLimit = limit - this.bufStart;
    // Pending window per rule, merged while hits overlap.
    const pending = new Map<number, [number, number]>();
    const candidates: Candidate[] = [];
    const flush = (ruleIndex: number, w: [number, number]): void =>
      this.runRule(ruleIndex, w[0], w[1], candidates);
    // Scan a keyword's length around [from, limit) so keywords crossing either edge are seen once:
    // a hit belongs to the round in which it starts.
    const scanFrom = Math.max(0, from - engine.maxKeyword);
    const scanTo = Math.min(buf.length, localLimit + engine.maxKeyword);
    engine.automaton.scan(buf, scanFrom, scanTo, (pos, rules) => {
      if (pos < from || pos >= localLimit) return;
      const lineStart = this.lineStartNear(pos);
      for (const ri of rules) {
        const c = engine.compiled[ri] as CompiledRule;
        const end = c.rule.span ? Math.min(buf.length, pos + c.forward) : this.lineEndNear(pos, c.forward);
        const w = pending.get(ri);
        if (w && lineStart <= w[1]) {
          if (end > w[1]) w[1] = end;
        } else {
          if (w) flush(ri, w);
          pending.set(ri, [lineStart, end]);
        }
      }
    });
    for (const [ri, w] of pending) flush(ri, w);
    this.accept(candidates);
    this.processed = limit;
    if (!final) {
      // Keep enough text before `processed` for the next round's windows.
      const keepFrom = Math.max(this.bufStart, this.processed - BACK - 1024);
      this.advanceCursor(keepFrom);
      this.buf = this.buf.slice(keepFrom - this.bufStart);
      this.bufStart = keepFrom;
    }
  }

  /** Start of the window for a hit: its line start, at most BACK characters back. */
  private lineStartNear(pos: number): number {
    const from = Math.max(0, pos - BACK);
    const nl = this.buf.slice(from, pos).lastIndexOf('\n');
    return nl < 0 ? from : from + nl + 1;
  }

  private lineEndNear(pos: number, forward: number): number {
    const to = Math.min(this.buf.length, pos + forward);
    const nl = this.buf.slice(pos, to).indexOf('\n');
    return nl < 0 ? to : pos + nl;
  }

  private runRule(ruleIndex: number, start: number, end: number, out: Candidate[]): void {
    const c = this.engine.compiled[ruleIndex] as CompiledRule;
    const window = this.buf.slice(start, end);
    if (c.rule.requires && !c.rule.requires.test(window)) return;
    const re = c.regex;
    re.lastIndex = 0;
    for (let m = re.exec(window); m !== null; m = re.exec(window)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      const groups = m.indices?.groups;
      const span = groups?.['secret'] ?? groups?.['secret2'] ?? m.indices?.[0];
      if (!span) continue;
      out.push({
        compiled: c,
        start: this.bufStart + start + m.index,
        end: this.bufStart + start + m.index + m[0].length,
        secretStart: this.bufStart + start + span[0],
        secretEnd: this.bufStart + start + span[1],
        secret: window.slice(span[0], span[1]),
      });
    }
  }

  private accept(candidates: Candidate[]): void {
    // One value is one finding: candidates are accepted most specific first, and a candidate whose
    // secret overlaps an accepted one is dropped. Specific before generic, then rules with a validator
    // (checksum, structure), then the longer secret, then rule order.
    const rank = (c: Candidate): number[] => [
      Number(c.compiled.rule.generic ?? false),
      Number(c.compiled.rule.validate === undefined),
      c.secretStart - c.secretEnd,
      c.compiled.index,
      c.start,
    ];
    candidates.sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
      return 0;
    });
    const accepted: Candidate[] = [];
    for (const cand of candidates) {
      if (this.findings.length + accepted.length >= this.engine.maxFindings) break;
      const key = `${cand.compiled.index}:${cand.secretStart}:${cand.secretEnd}`;
      if (this.seen.has(key)) continue;
      if (!this.keep(cand)) continue;
      if (this.acceptedSpans.some(([s, e]) => cand.secretStart < e && s < cand.secretEnd)) continue;
      this.seen.add(key);
      this.acceptedSpans.push([cand.secretStart, cand.secretEnd]);
      accepted.push(cand);
    }
    accepted.sort((a, b) => a.secretStart - b.secretStart);
    // Walk a copy of the line cursor through the sorted findings; the real cursor only moves at the end
    // of a round, to a point no later finding can precede.
    let abs = this.cursor;
    let line = this.cursorLine;
    let lastNl = this.cursorLastNl;
    const buf = this.buf;
    const walk = (to: number): void => {
      let i = abs - this.bufStart;
      const stop = to - this.bufStart;
      for (;;) {
        const nl = buf.indexOf('\n', i);
        if (nl < 0 || nl >= stop) break;
        line++;
        lastNl = this.bufStart + nl;
        i = nl + 1;
      }
      abs = to;
    };
    for (const cand of accepted) {
      // Multi-line material (PEM blocks) is located by its BEGIN line, everything else by the secret.
      const at = cand.compiled.rule.span ? cand.start : cand.secretStart;
      const spanText = cand.compiled.rule.span
        ? this.buf.slice(cand.start - this.bufStart, cand.end - this.bufStart)
        : cand.secret;
      walk(at);
      const startLine = line;
      const startColumn = at - lastNl;
      const newlines = spanText.split('\n').length - 1;
      const lastBreak = spanText.lastIndexOf('\n');
      const rule = cand.compiled.rule;
      const secret = redact(rule.id, cand.secret);
      if (this.keepSpans) this.spans.push({ start: cand.secretStart, end: cand.secretEnd, secret });
      this.findings.push({
        ruleId: rule.id,
        title: rule.title,
        severity: rule.severity,
        secret,
        line: startLine,
        column: startColumn,
        endLine: startLine + newlines,
        endColumn: lastBreak < 0 ? startColumn + spanText.length : spanText.length - lastBreak,
      });
    }
  }

  private keep(cand: Candidate): boolean {
    const rule = cand.compiled.rule;
    const secret = cand.secret;
    if (secret.length === 0) return false;
    if (rule.allowlist?.some((re) => re.test(secret))) return false;
    if (this.engine.allowRegexes.some((re) => re.test(secret))) return false;
    if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) return false;
    if (isPlaceholder(secret)) return false;
    // The whole token around the match (e.g. the URL a SAS signature sits in) may point at documentation.
    const localStart = cand.start - this.bufStart;
    const before = this.buf.slice(Math.max(0, localStart - 2048), localStart);
    const tokenStart = Math.max(before.search(/[^\s'"\x60<>()]*$/), 0);
    const after = this.buf.slice(cand.end - this.bufStart, cand.end - this.bufStart + 512);
    const context =
      before.slice(tokenStart) +
      this.buf.slice(localStart, Math.min(cand.end - this.bufStart, localStart + 2048)) +
      after.slice(0, after.search(/[\s'"\x60<>()]|$/));
    if (isDocumentationLine(context)) return false;
    if (rule.validate && !rule.validate(secret)) return false;
    // Inline suppression anywhere on the line where the match starts. Masking ignores it: an accepted
    // secret is still a secret, and is still not printed.
    if (this.keepSpans) return true;
    const local = cand.start - this.bufStart;
    const lineStart = this.lineStartNear(local);
    const lineEnd = this.lineEndNear(local, 2048);
    if (this.buf.slice(lineStart, lineEnd).includes(INLINE_ALLOW)) return false;
    return true;
  }

  /** Move the line cursor forward to `abs` (absolute offset inside the buffer), counting newlines. */
  private advanceCursor(abs: number): void {
    if (abs <= this.cursor) return;
    const buf = this.buf;
    let i = this.cursor - this.bufStart;
    const stop = abs - this.bufStart;
    for (;;) {
      const nl = buf.indexOf('\n', i);
      if (nl < 0 || nl >= stop) break;
      this.cursorLine++;
      this.cursorLastNl = this.bufStart + nl;
      i = nl + 1;
    }
    this.cursor = abs;
  }
}
