/**
 * Files that should never be part of an image: private keys, keystores, credential files, dotenv
 * files, Terraform state. Shared by the Dockerfile COPY/ADD rule and the built-image file check.
 */

export interface SensitiveMatch {
  /** What the file is, for messages: `SSH private key`, `dotenv file`, … */
  readonly kind: string;
}

const DOTENV_SAFE = /^\.env\.(?:example|sample|template|dist|defaults?|tpl)$/i;
const NAMED_CREDENTIAL_FILES = new Map([
  ['.npmrc', 'npm credentials (.npmrc)'],
  ['.pypirc', 'PyPI credentials (.pypirc)'],
  ['.netrc', 'netrc credentials'],
  ['_netrc', 'netrc credentials'],
  ['.git-credentials', 'git credentials'],
  ['.pgpass', 'PostgreSQL password file'],
  ['.htpasswd', 'htpasswd file'],
  ['kubeconfig', 'kubeconfig'],
]);
const SUFFIX_FILES: readonly (readonly [string, string])[] = [
  ['.aws/credentials', 'AWS credentials'],
  ['.kube/config', 'kubeconfig'],
  ['.docker/config.json', 'Docker registry credentials'],
  ['.config/gcloud/application_default_credentials.json', 'Google Cloud credentials'],
  ['.config/gcloud/credentials.db', 'Google Cloud credentials'],
  ['.azure/accessTokens.json', 'Azure credentials'],
  ['.azure/msal_token_cache.json', 'Azure credentials'],
];
const SENSITIVE_DIRS = new Map([
  ['.ssh', 'SSH directory'],
  ['.aws', 'AWS configuration directory'],
  ['.gnupg', 'GnuPG keyring'],
  ['.kube', 'Kubernetes configuration directory'],
]);

/**
 * Classify a path (relative or absolute, possibly a COPY glob) by its name. Directories such as `.ssh`
 * are matched by their last segment, since COPY of a directory copies its content.
 */
export function matchSensitivePath(path: string): SensitiveMatch | undefined {
  const p = path.replace(/\\/g, '/').replace(/\/+$/, '');
  const base = p.slice(p.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  if (/^id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?$/.test(base)) return { kind: 'SSH private key' };
  if (lower.endsWith('.pub')) return undefined;
  if (lower.endsWith('.key')) return { kind: 'private key (*.key)' };
  if (lower.endsWith('.pem')) return { kind: 'PEM key or certificate (*.pem)' };
  if (/\.(?:p12|pfx)$/.test(lower)) return { kind: 'PKCS#12 keystore' };
  if (/\.(?:jks|keystore)$/.test(lower)) return { kind: 'Java keystore' };
  if (lower === '.env' || (lower.startsWith('.env.') && !DOTENV_SAFE.test(lower)))
    return { kind: 'dotenv file' };
  const named = NAMED_CREDENTIAL_FILES.get(lower);
  if (named) return { kind: named };
  if (/\.tfstate(?:\.backup)?$/.test(lower)) return { kind: 'Terraform state' };
  for (const [suffix, kind] of SUFFIX_FILES) {
    if (p === suffix || p.endsWith(`/${suffix}`)) return { kind };
  }
  const dir = SENSITIVE_DIRS.get(lower);
  if (dir) return { kind: dir };
  return undefined;
}
