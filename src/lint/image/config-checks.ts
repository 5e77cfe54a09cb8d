/** Checks on the image configuration and history (pure functions over {@link ImageMetadata}). */
import type { ImageMetadata } from '../../source/types.js';
import { splitWords, unquote } from '../dockerfile/words.js';
import { isSecretLiteral, isSecretName, redact } from '../secret-names.js';
import { IMAGE_RULES, type ImageRule } from './rules.js';
import type { Severity } from '../types.js';
import type { ImageCheckOptions, ImageFinding, ImageLocation } from './types.js';

/** `severity`: the secret-scanning rules' severity for a recognised secret (a config override still wins). */
export type Emit = (rule: ImageRule, message: string, location: ImageLocation, severity?: Severity) => void;

export function checkImageConfig(meta: ImageMetadata, options: ImageCheckOptions, emit: Emit): void {
  const cfg = meta.config;
  const user = (cfg.user ?? '').trim();
  const name = user.split(':')[0]!;
  if (name === '' || name === 'root' || /^0+$/.test(name)) {
    emit(
      IMAGE_RULES.rootUser,
      user === ''
        ? 'the image sets no User: containers run as root'
        : `the image User is ${user}: containers run as root`,
      { kind: 'config', field: 'User' },
    );
  }

  const envPairs = new Set<string>();
  for (const entry of cfg.env) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const key = entry.slice(0, eq);
    const value = entry.slice(eq + 1);
    envPairs.add(`${key}=${value}`);
    const why = secretReason(key, value, options);
    if (why)
      emit(
        IMAGE_RULES.secretEnv,
        `Env ${key}=${why.masked} (${why.text})`,
        { kind: 'config', field: 'Env', key },
        why.severity,
      );
  }
  const labelPairs = new Set<string>();
  for (const key of Object.keys(cfg.labels).sort()) {
    const value = cfg.labels[key]!;
    labelPairs.add(`${key}=${value}`);
    const why = secretReason(key, value, options);
    if (why)
      emit(
        IMAGE_RULES.secretLabel,
        `Label ${key}=${why.masked} (${why.text})`,
        { kind: 'config', field: 'Labels', key },
        why.severity,
      );
  }

  meta.history.forEach((h, index) => {
    for (const { key, value, kind } of historyAssignments(h.createdBy ?? '')) {
      // The same value still in Env/Labels is reported there once, not again for its history entry.
      if (
        (kind === 'ENV' && envPairs.has(`${key}=${value}`)) ||
        (kind === 'LABEL' && labelPairs.has(`${key}=${value}`))
      )
        continue;
      const why = secretReason(key, value, options);
      if (why)
        emit(
          IMAGE_RULES.secretHistory,
          `history entry ${index} (${kind}) records ${key}=${why.masked} (${why.text})`,
          { kind: 'history', index },
          why.severity,
        );
    }
  });

  if (cfg.exposedPorts.some((p) => /^22(?:\/tcp)?$/i.test(p.trim()))) {
    emit(IMAGE_RULES.sshPort, 'the image exposes port 22/tcp', {
      kind: 'config',
      field: 'ExposedPorts',
      key: '22/tcp',
    });
  }
}

interface SecretReason {
  readonly text: string;
  readonly masked: string;
  /** Set when the secret-scanning rules recognised the value. */
  readonly severity?: Severity;
}

function secretReason(key: string, value: string, options: ImageCheckOptions): SecretReason | undefined {
  if (!isSecretLiteral(value)) return undefined;
  const detected = options.detectSecret?.(value, key);
  if (detected)
    return { text: `looks like a ${detected.title}`, masked: detected.masked, severity: detected.severity };
  return isSecretName(key) ? { text: 'secret-looking name', masked: redact(value) } : undefined;
}

/**
 * NAME=value assignments recorded in a history `created_by`: classic-builder
 * `/bin/sh -c #(nop)  ENV K=V`, BuildKit `ENV K=V` / `ARG K=V` / `LABEL K=V`, and build arguments
 * passed to RUN (`RUN |2 A=1 B=2 /bin/sh -c …`, or `|2 A=1 B=2 /bin/sh -c …`).
 */
export function historyAssignments(
  createdBy: string,
): { key: string; value: string; kind: 'ENV' | 'ARG' | 'LABEL' | 'RUN' }[] {
  const text = createdBy.replace(/^\/bin\/sh -c #\(nop\)\s*/, '').trim();
  const out: { key: string; value: string; kind: 'ENV' | 'ARG' | 'LABEL' | 'RUN' }[] = [];
  const m = /^(ENV|ARG|LABEL)\s+([\s\S]*)$/i.exec(text);
  if (m) {
    const kind = m[1]!.toUpperCase() as 'ENV' | 'ARG' | 'LABEL';
    const words = splitWords(m[2]!.replace(/\s+# buildkit$/, ''), '\\').words;
    if (words.length && !words[0]!.raw.includes('=') && kind !== 'ARG') {
      out.push({
        key: unquote(words[0]!.raw, '\\'),
        value: m[2]!.slice(words[1]?.start ?? m[2]!.length).trim(),
        kind,
      });
      return out;
    }
    for (const w of words) {
      const eq = w.raw.indexOf('=');
      if (eq > 0)
        out.push({ key: unquote(w.raw.slice(0, eq), '\\'), value: unquote(w.raw.slice(eq + 1), '\\'), kind });
    }
    return out;
  }
  const run = /^(?:RUN\s+)?\|(\d+)\s+([\s\S]*)$/.exec(text);
  if (run) {
    const count = Math.min(Number(run[1]), 1000);
    const words = splitWords(run[2]!, '\\').words.slice(0, count);
    for (const w of words) {
      const eq = w.raw.indexOf('=');
      if (eq > 0)
        out.push({ key: w.raw.slice(0, eq), value: unquote(w.raw.slice(eq + 1), '\\'), kind: 'RUN' });
    }
  }
  return out;
}

export type { ImageFinding };
