/**
 * Checks on the final filesystem, fed one entry at a time (a LayerVisitor over the merged tree can
 * call {@link FinalTreeChecker.entry} directly). Memory stays bounded: findings per rule are capped and
 * cache directories are aggregated.
 */
import type { EntryHeader } from '../../source/types.js';
import { matchSensitivePath } from '../sensitive-paths.js';
import { IMAGE_RULES, type ImageRule } from './rules.js';
import type { Emit } from './config-checks.js';

const HISTORY_FILES = new Set([
  '.bash_history',
  '.zsh_history',
  '.ash_history',
  '.sh_history',
  '.history',
  '.python_history',
  '.mysql_history',
  '.psql_history',
  '.node_repl_history',
  '.sqlite_history',
  '.rediscli_history',
]);
/** Public CA material ships in every distribution: not a finding. */
const CA_DIRS =
  /^\/(?:etc\/ssl\/certs|usr\/share\/ca-certificates|usr\/local\/share\/ca-certificates|etc\/pki\/(?:ca-trust|tls\/certs)|etc\/ca-certificates|usr\/lib\/ssl\/certs)\//;
const TEMP_DIRS = /^\/(?:tmp|var\/tmp|dev\/shm|run\/lock|var\/lock)(?:\/|$)/;

const CACHE_DIRS: readonly (readonly [RegExp, string])[] = [
  [/^\/var\/lib\/apt\/lists\/(?!lock$|partial(?:\/|$)|auxfiles(?:\/|$))/, '/var/lib/apt/lists'],
  [/^\/var\/cache\/apt\/(?:archives\/[^/]+\.deb$|[^/]+\.bin$)/, '/var/cache/apt'],
  [/^\/var\/cache\/apk\/./, '/var/cache/apk'],
  [/^\/var\/cache\/(?:yum|dnf)\/./, '/var/cache/yum'],
  [/^\/(?:root|home\/[^/]+)\/\.cache\/pip\/./, '~/.cache/pip'],
  [/^\/(?:root|home\/[^/]+)\/\.npm\/_cacache\/./, '~/.npm/_cacache'],
  [/^\/(?:(?:root|home\/[^/]+)\/\.cache\/yarn|usr\/local\/share\/\.cache\/yarn)\/./, 'yarn cache'],
  [/^\/(?:root|home\/[^/]+)\/\.cache\/go-build\/./, '~/.cache/go-build'],
];

export class FinalTreeChecker {
  private readonly gitDirs = new Set<string>();
  private readonly caches = new Map<string, { files: number; bytes: number; example: string }>();
  private readonly counts = new Map<string, number>();
  private readonly overflow = new Map<string, number>();

  constructor(
    private readonly emit: Emit,
    private readonly maxPerRule = 50,
  ) {}

  /** Feed one entry of the final (merged, whiteouts applied) filesystem. */
  entry(h: EntryHeader): void {
    if (h.type === 'whiteout' || h.type === 'opaque') return;
    const path = h.path;
    const gitAt = path.indexOf('/.git/');
    if (path.endsWith('/.git') || gitAt >= 0) {
      const root = gitAt >= 0 ? path.slice(0, gitAt + 5) : path;
      if (!this.gitDirs.has(root) && this.gitDirs.size < 1000) {
        this.gitDirs.add(root);
        this.report(
          IMAGE_RULES.sensitiveFile,
          `${root}: git repository metadata (history, remotes, possibly credentials)`,
          root,
        );
      }
      return;
    }
    if (h.type !== 'file' && h.type !== 'dir') return;
    if (h.type === 'file') {
      const base = path.slice(path.lastIndexOf('/') + 1);
      if (HISTORY_FILES.has(base) && h.size > 0) {
        this.report(IMAGE_RULES.sensitiveFile, `${path}: shell history (${h.size} bytes)`, path);
      } else if (!CA_DIRS.test(path)) {
        const m = matchSensitivePath(path);
        // Outside CA folders, *.pem is reported only when its name says it holds a key.
        const isPemCert = base.toLowerCase().endsWith('.pem') && !/key|priv|id_/i.test(base);
        if (m && !isPemCert && !/\/(?:\.ssh|\.aws|\.gnupg|\.kube)$/.test(path)) {
          this.report(IMAGE_RULES.sensitiveFile, `${path}: ${m.kind}`, path);
        }
      }
      if (h.mode & 0o6000) {
        const bits = [h.mode & 0o4000 ? 'setuid' : '', h.mode & 0o2000 ? 'setgid' : '']
          .filter(Boolean)
          .join('+');
        this.report(
          IMAGE_RULES.setuid,
          `${path} is ${bits} (mode ${(h.mode & 0o7777).toString(8).padStart(4, '0')}, owner ${h.uid}:${h.gid})`,
          path,
        );
      }
      for (const [re, label] of CACHE_DIRS) {
        if (!re.test(path)) continue;
        const c = this.caches.get(label) ?? { files: 0, bytes: 0, example: path };
        c.files++;
        c.bytes += h.size;
        this.caches.set(label, c);
        break;
      }
    }
    // Sticky world-writable directories (/tmp style) are safe: users cannot replace others' files.
    const sticky = h.type === 'dir' && (h.mode & 0o1000) !== 0;
    if ((h.mode & 0o002) !== 0 && !sticky && !TEMP_DIRS.test(path)) {
      this.report(
        IMAGE_RULES.worldWritable,
        `${path} is world-writable (mode ${(h.mode & 0o7777).toString(8).padStart(4, '0')})`,
        path,
      );
    }
  }

  /** Emit the aggregated findings (caches, overflow summaries). Call once after the last entry. */
  finish(): void {
    for (const [label, c] of [...this.caches].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      this.emit(
        IMAGE_RULES.packageCache,
        `${label}: ${c.files} cached file${c.files === 1 ? '' : 's'}, ${c.bytes} bytes (e.g. ${c.example})`,
        { kind: 'file', path: c.example },
      );
    }
    for (const [id, extra] of [...this.overflow].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const rule = Object.values(IMAGE_RULES).find((r) => r.id === id)!;
      this.emit(rule, `… and ${extra} more (${rule.title.toLowerCase()})`, { kind: 'file', path: '/' });
    }
  }

  private report(rule: ImageRule, message: string, path: string): void {
    const n = (this.counts.get(rule.id) ?? 0) + 1;
    this.counts.set(rule.id, n);
    if (n > this.maxPerRule) {
      this.overflow.set(rule.id, (this.overflow.get(rule.id) ?? 0) + 1);
      return;
    }
    this.emit(rule, message, { kind: 'file', path });
  }
}
