/**
 * The image target: a {@link LayerVisitor} that streams every regular file of every layer through the
 * engine, then relates each finding to the final filesystem. A file written in layer 2 and removed by
 * a whiteout in layer 3 is invisible in a running container but readable by anyone who pulls the
 * image: it is reported as `deleted` with the layer that hid it.
 */
import type {
  ContentSink,
  EntryHeader,
  ImageMetadata,
  LayerRef,
  LayerVisitor,
  SourceProblem,
} from '../source/types.js';
import { oneLine } from '../util/errors.js';
import type { SecretEngine } from './engine.js';
import { isGeneratedPath } from './generated.js';
import { redactMetadataText } from './metadata.js';
import { FILE_RULES } from './rules/index.js';
import { fileFinding } from './scan-files.js';
import type {
  LayerInfo,
  RedactedFinding,
  ScanProblem,
  ScanStats,
  SecretScanResult,
  TextFinding,
} from './types.js';
import { DEFAULT_MAX_FILE_BYTES, newStats } from './scan-files.js';

export interface SecretLayerVisitorOptions {
  readonly engine: SecretEngine;
  readonly includeGenerated?: boolean;
  readonly skipPath?: (path: string) => boolean;
  readonly maxFileBytes?: number;
}

/** One write of a path by a layer, and what it held. */
interface Version {
  readonly layer: LayerInfo;
  readonly findings: readonly TextFinding[];
  readonly fileFindings: readonly RedactedFinding[];
  /** Set when a later layer hid or replaced this version. */
  removedIn?: LayerInfo;
  removedBy?: 'deleted' | 'overwritten';
}

export interface SecretLayerVisitor extends LayerVisitor {
  /** Call after the walk: findings for every layer, with their status in the final filesystem. */
  result(): SecretScanResult;
}

/** The layer as findings name it; its history text passes the metadata redactor here, once. */
function layerInfo(layer: LayerRef): LayerInfo {
  return {
    index: layer.index,
    diffId: layer.diffId,
    ...(layer.createdBy ? { createdBy: redactMetadataText(layer.createdBy) } : {}),
  };
}

const isUnder = (path: string, dir: string): boolean =>
  dir === '/' || path === dir || path.startsWith(`${dir}/`);

/** Create the visitor; pass it to `Source.walk`, then read {@link SecretLayerVisitor.result}. */
export function createSecretLayerVisitor(options: SecretLayerVisitorOptions): SecretLayerVisitor {
  const versions = new Map<string, Version[]>();
  const problems: ScanProblem[] = [];
  const stats: ScanStats = newStats();
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  /** Hide every live version at or below `path` written by a layer before `by`. */
  const hide = (path: string, by: LayerRef, how: 'deleted' | 'overwritten', exactOnly: boolean): void => {
    const info = layerInfo(by);
    const lists = exactOnly
      ? [versions.get(path) ?? []]
      : [...versions].filter(([p]) => isUnder(p, path)).map(([, l]) => l);
    for (const list of lists) {
      for (const v of list) {
        if (v.layer.index < by.index && !v.removedIn) {
          v.removedIn = info;
          v.removedBy = how;
        }
      }
    }
  };

  const record = (path: string, version: Version): void => {
    const list = versions.get(path) ?? [];
    list.push(version);
    versions.set(path, list);
  };

  return {
    entry(layer: LayerRef, header: EntryHeader): ContentSink | undefined {
      switch (header.type) {
        case 'whiteout':
          hide(header.path, layer, 'deleted', false);
          return undefined;
        case 'opaque':
          // The directory stays; everything lower layers put inside it disappears.
          if (header.path !== '/') hide(`${header.path}/`.replace(/\/+$/, ''), layer, 'deleted', false);
          return undefined;
        case 'file':
          break;
        default:
          // Anything else at this path (a dir, a link) replaces a lower layer's file there.
          hide(header.path, layer, 'deleted', true);
          return undefined;
      }
      hide(header.path, layer, 'overwritten', true);
      const path = header.path;
      if (options.skipPath?.(path)) {
        stats.skippedAllowlisted++;
        return undefined;
      }
      if (!options.includeGenerated && isGeneratedPath(path)) {
        stats.skippedGenerated++;
        return undefined;
      }
      const info = layerInfo(layer);
      const scanner = options.engine.scanner({ sniffBinary: true, maxBytes });
      const fileRule = FILE_RULES.find((r) => r.name.test(path.slice(path.lastIndexOf('/') + 1)));
      const fileFindings: RedactedFinding[] = [];
      let first = true;
      let failed = false;
      return {
        write(chunk: Uint8Array): void {
          if (failed) return;
          if (first) {
            first = false;
            if (fileRule && fileRule.magic(chunk))
              fileFindings.push({ ...fileFinding(fileRule, path, chunk), layer: info });
          }
          scanner.write(chunk);
        },
        end(): void {
          if (failed) return;
          const found = scanner.end();
          if (scanner.binary) stats.skippedBinary++;
          else {
            stats.files++;
            stats.bytes += scanner.bytes;
          }
          if (scanner.truncated)
            problems.push({ path, reason: `larger than ${maxBytes} bytes: only the beginning was scanned` });
          // Only versions with findings are tracked, so whiteout bookkeeping stays proportional to findings.
          if (found.length > 0 || fileFindings.length > 0)
            record(path, { layer: info, findings: found, fileFindings });
        },
        abort(err: Error): void {
          failed = true;
          problems.push({ path, reason: `layer ${layer.index}: ${oneLine(err)}` });
        },
      };
    },
    problem(p: SourceProblem): void {
      problems.push({ path: p.path ?? (p.layer ? `layer ${p.layer.index}` : ''), reason: oneLine(p.reason) });
    },
    result(): SecretScanResult {
      const findings: RedactedFinding[] = [];
      for (const [path, list] of versions) {
        const live = list.filter((v) => !v.removedIn);
        const liveFingerprints = new Set(
          live.flatMap((v) => v.findings.map((f) => `${f.ruleId}:${f.secret.fingerprint}`)),
        );
        for (const v of list) {
          for (const f of [...v.findings.map((t) => ({ ...t, path })), ...v.fileFindings]) {
            let status: RedactedFinding['status'] = 'present';
            // "Overwritten" only when the new content no longer holds the same secret.
            if (v.removedBy === 'deleted') status = 'deleted';
            else if (
              v.removedBy === 'overwritten' &&
              !liveFingerprints.has(`${f.ruleId}:${f.secret.fingerprint}`)
            )
              status = 'overwritten';
            else if (v.removedBy === 'overwritten') continue; // still present in the newer version, reported there
            findings.push({
              ...f,
              path,
              layer: v.layer,
              status,
              ...(status !== 'present' && v.removedIn ? { removedIn: v.removedIn } : {}),
            });
          }
        }
      }
      return { findings, problems, stats };
    },
  };
}

/** Secrets in the image config: `Env` values, `Labels` and the history's `created_by` commands. */
export function scanImageConfig(meta: ImageMetadata, engine: SecretEngine): RedactedFinding[] {
  const out: RedactedFinding[] = [];
  const scan = (text: string, path: string): void => {
    for (const f of engine.scanText(text)) out.push({ ...f, path });
  };
  for (const env of meta.config.env) {
    const name = env.slice(0, Math.max(0, env.indexOf('=')));
    scan(env, `config:Env/${name || env.slice(0, 32)}`);
  }
  for (const [key, value] of Object.entries(meta.config.labels).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  )) {
    scan(`${key}=${value}`, `config:Labels/${key}`);
  }
  meta.history.forEach((h, i) => {
    if (h.createdBy) scan(h.createdBy, `config:history/${i}`);
  });
  return out;
}
