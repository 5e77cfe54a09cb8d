/** Rules that match a file by its name and first bytes rather than by text: binary key stores. */
import type { Severity } from '../types.js';

export interface FileRule {
  readonly id: string;
  readonly title: string;
  readonly severity: Severity;
  readonly family: string;
  /** Matched against the file's base name. */
  readonly name: RegExp;
  /** Checks the first bytes, so a `.p12` that is really text (a fixture, an LFS pointer) is not reported. */
  readonly magic: (head: Uint8Array) => boolean;
}

/** DER starts with a SEQUENCE (0x30) with a long-form length: every PKCS#12 store does. */
const der = (head: Uint8Array): boolean =>
  head.length > 4 && head[0] === 0x30 && ((head[1] ?? 0) & 0x80) !== 0;

export const FILE_RULES: readonly FileRule[] = [
  {
    id: 'pkcs12-file',
    title: 'PKCS#12 key store (.p12/.pfx) containing a private key',
    severity: 'high',
    family: 'crypto',
    name: /\.(?:p12|pfx)$/i,
    magic: der,
  },
  {
    id: 'java-keystore-file',
    title: 'Java KeyStore (.jks/.keystore)',
    severity: 'medium',
    family: 'crypto',
    name: /\.(?:jks|keystore)$/i,
    // JKS magic 0xFEEDFEED; JCEKS 0xCECECECE; newer keystores are PKCS#12 (DER).
    magic: (h) =>
      (h[0] === 0xfe && h[1] === 0xed && h[2] === 0xfe && h[3] === 0xed) ||
      (h[0] === 0xce && h[1] === 0xce && h[2] === 0xce && h[3] === 0xce) ||
      der(h),
  },
];
