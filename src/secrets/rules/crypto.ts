/** Private key material: PEM keys of every kind, OpenSSH, PGP, PuTTY and keys embedded in kubeconfigs. */
import type { RuleInput } from './define.js';
import { family } from './define.js';

/**
 * The body between BEGIN and END must be mostly base64: a real key, not `...` in a README. Line breaks
 * may be escaped (`\n` inside a JSON or YAML string: GCP service-account files, Helm values, `.env`).
 */
function pemBodyOk(body: string): boolean {
  const lines = body
    .replace(/\\r\\n|\\n|\\r/g, '\n')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '' && !/^[A-Za-z-]+:/.test(l));
  const b64 = lines.join('').replace(/\s+/g, '');
  return b64.length >= 64 && /^[A-Za-z0-9+/=]+$/.test(b64);
}

const PEM_SPAN = 16_384;

function pem(id: string, title: string, label: string, severity: 'critical' | 'high' | 'medium'): RuleInput {
  const esc = label.replace(/ /g, ' ');
  return {
    id,
    title,
    severity,
    keywords: [`begin ${label.toLowerCase()}`],
    regex: new RegExp(
      String.raw`-----BEGIN ${esc}-----\s*(?<secret>[\s\S]{64,${PEM_SPAN}}?)\s*-----END ${esc}-----`,
    ),
    validate: pemBodyOk,
    span: PEM_SPAN,
    examples: [`-----BEGIN ${label}-----\nMIIE{b:60}\n{b:64}\n{b:64}\n{b:40}==\n-----END ${label}-----`],
    placeholder: `-----BEGIN ${label}-----\n...\n-----END ${label}-----`,
  };
}

export const CRYPTO_RULES = family('crypto', [
  pem('private-key-rsa', 'RSA private key (PKCS#1 PEM)', 'RSA PRIVATE KEY', 'critical'),
  pem('private-key-pkcs8', 'Private key (PKCS#8 PEM)', 'PRIVATE KEY', 'critical'),
  pem('private-key-pkcs8-encrypted', 'Encrypted private key (PKCS#8 PEM)', 'ENCRYPTED PRIVATE KEY', 'medium'),
  pem('private-key-ec', 'EC private key (PEM)', 'EC PRIVATE KEY', 'critical'),
  pem('private-key-dsa', 'DSA private key (PEM)', 'DSA PRIVATE KEY', 'critical'),
  pem('private-key-openssh', 'OpenSSH private key', 'OPENSSH PRIVATE KEY', 'critical'),
  pem('private-key-pgp', 'PGP private key block', 'PGP PRIVATE KEY BLOCK', 'critical'),
  pem(
    'private-key-ssh2-encrypted',
    'SSH2 (SSH.com) encrypted private key',
    'SSH2 ENCRYPTED PRIVATE KEY',
    'medium',
  ),
  {
    id: 'private-key-other-pem',
    title: 'Private key (other PEM type)',
    severity: 'high',
    keywords: ['private key-----'],
    regex: new RegExp(
      String.raw`-----BEGIN (?<label>(?!RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED |SSH2 )[A-Z0-9.]+(?: [A-Z0-9.]+)*) PRIVATE KEY-----\s*(?<secret>[\s\S]{64,${PEM_SPAN}}?)\s*-----END \k<label> PRIVATE KEY-----`,
    ),
    validate: pemBodyOk,
    span: PEM_SPAN,
    examples: [
      '-----BEGIN X9.42 DH PRIVATE KEY-----\nMIIC{b:60}\n{b:64}\n-----END X9.42 DH PRIVATE KEY-----',
    ],
    placeholder: '-----BEGIN DH PRIVATE KEY-----\n<your key here>\n-----END DH PRIVATE KEY-----',
  },
  {
    id: 'private-key-putty',
    title: 'PuTTY private key (.ppk)',
    severity: 'critical',
    keywords: ['putty-user-key-file-'],
    regex:
      /PuTTY-User-Key-File-[23]: [^\r\n]+[\s\S]{0,4096}?Private-Lines: \d+\r?\n(?<secret>[A-Za-z0-9+/=\r\n]{16,8192})/,
    span: 8192,
    validate: (s) => s.replace(/\s+/g, '').length >= 32,
    examples: [
      'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: k\nPublic-Lines: 2\n{b:64}\n{b:20}\nPrivate-Lines: 1\n{b:44}\n',
    ],
    placeholder:
      'PuTTY-User-Key-File-3: ssh-ed25519\nPrivate-Lines: 1\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n',
  },
  {
    id: 'kubeconfig-client-key',
    title: 'Client private key embedded in a kubeconfig',
    severity: 'critical',
    keywords: ['client-key-data'],
    regex: /client-key-data["']?\s*:\s*["']?(?<secret>[A-Za-z0-9+/]{100,}={0,2})/,
    validate: (s) => Buffer.from(s, 'base64').toString('latin1').includes('PRIVATE KEY'),
    examples: ['    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQo{b:200}'],
  },
  {
    id: 'kubeconfig-token',
    title: 'Bearer token in a kubeconfig or Kubernetes service-account secret',
    severity: 'high',
    keywords: ['token:'],
    regex:
      /(?:^|\s)token:\s*["']?(?<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}|[a-z0-9]{6}\.[a-z0-9]{16})(?![A-Za-z0-9_.-])/,
    examples: ['    token: {l:6}.{l:16}', 'token: {jwt}'],
  },
]);
