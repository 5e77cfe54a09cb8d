/**
 * Checks on a built image (no Dockerfile needed): its runtime configuration, history and final
 * filesystem. One entry per check; the logic lives in config-checks.ts and file-checks.ts.
 */
import type { Severity } from '../types.js';

export interface ImageRule {
  readonly id: string;
  readonly version: number;
  readonly title: string;
  readonly severity: Severity;
  readonly rationale: string;
  readonly fix: string;
}

const rule = (r: ImageRule): ImageRule => r;

export const IMAGE_RULES = {
  rootUser: rule({
    id: 'image-root-user',
    version: 1,
    title: 'Image runs as root',
    severity: 'high',
    rationale:
      'The image configuration sets no user (or root/0): containers start as uid 0 unless the runtime overrides it.',
    fix: 'Rebuild with a `USER <non-root uid>` at the end of the final stage, or run with `--user` / `runAsNonRoot`.',
  }),
  secretEnv: rule({
    id: 'image-secret-env',
    version: 1,
    title: 'Secret in the image environment',
    severity: 'critical',
    rationale:
      'Env values are part of the image configuration: anyone who can pull the image reads them with `docker inspect`.',
    fix: 'Remove the ENV from the Dockerfile, rotate the secret, and inject it at run time instead.',
  }),
  secretLabel: rule({
    id: 'image-secret-label',
    version: 1,
    title: 'Secret in an image label',
    severity: 'critical',
    rationale: 'Labels are part of the image configuration and shown by registries and `docker inspect`.',
    fix: 'Remove the label, rotate the secret.',
  }),
  secretHistory: rule({
    id: 'image-secret-history',
    version: 1,
    title: 'Secret recorded in the image history',
    severity: 'high',
    rationale:
      'Build arguments used by RUN and ARG/ENV values are written into the history (`docker history --no-trunc`), even when the final environment does not contain them.',
    fix: 'Use `RUN --mount=type=secret` for build-time secrets; rotate the leaked value.',
  }),
  sensitiveFile: rule({
    id: 'image-sensitive-file',
    version: 1,
    title: 'Sensitive file in the image filesystem',
    severity: 'high',
    rationale:
      'Private keys, credential files, dotenv files, .git folders and shell histories in the final filesystem are readable by anyone with the image.',
    fix: 'Exclude the file from the build context (.dockerignore), mount it only when needed (`--mount=type=secret`), and rotate any credential it contained.',
  }),
  setuid: rule({
    id: 'image-setuid-file',
    version: 1,
    title: 'setuid/setgid binary',
    severity: 'info',
    rationale:
      'setuid/setgid binaries run with their owner’s privileges; each is a potential privilege-escalation path for a compromised process.',
    fix: 'Remove the ones the application does not need (`find / -xdev -perm /6000 -type f -exec chmod a-s {} +`) or run with `--security-opt no-new-privileges`.',
  }),
  worldWritable: rule({
    id: 'image-world-writable',
    version: 1,
    title: 'World-writable file or directory outside /tmp',
    severity: 'info',
    rationale:
      'Any user in the container can modify a world-writable path; binaries or configuration there can be replaced by a compromised process.',
    fix: 'Fix the permissions at build time (chown to the user that writes, mode 755/644); use /tmp or a volume for scratch space.',
  }),
  packageCache: rule({
    id: 'image-package-cache',
    version: 1,
    title: 'Package-manager cache left in the image',
    severity: 'info',
    rationale:
      'Package lists and download caches make the image larger and stale without being used at run time.',
    fix: 'Clean caches in the same RUN that creates them (`rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `pip --no-cache-dir`, `npm cache clean --force`) or use cache mounts.',
  }),
  sshPort: rule({
    id: 'image-ssh-port',
    version: 1,
    title: 'SSH port 22 exposed by the image',
    severity: 'medium',
    rationale:
      'An image that exposes port 22 usually runs an SSH daemon: a remote login service with long-lived credentials inside the container.',
    fix: 'Drop the SSH server and `EXPOSE 22`; use `docker exec`/`kubectl exec` to debug.',
  }),
} as const;

export const IMAGE_RULE_LIST: readonly ImageRule[] = Object.values(IMAGE_RULES);
