/** `bulwark catalog list|verify`: the approved base-image catalogue of `.bulwark.yaml`, and the hardened profile. */
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { verifyCatalogImage } from '../../engine/policy.js';
import { HARDENED_PROFILE, parseCatalogue, type CatalogueEntry } from '../../policy/approved/catalogue.js';
import { VERIFY_FORMATS, renderVerifyJson, renderVerifyTable } from '../../report/policy/render.js';
import { printable } from '../../sbom/format/table.js';
import { UsageError } from '../../util/errors.js';
import { ExitWith } from '../exit.js';
import type { CliIO } from '../io.js';
import { emit } from '../output.js';
import { progress } from '../progress.js';
import { addPolicyCommonOptions, parseExitCode, policyRunOptions, type PolicyCommonFlags } from './policy.js';
import { sourceOptions, targetHelp } from './sbom.js';

interface VerifyFlags extends PolicyCommonFlags {
  format: string;
  output?: string;
  name?: string;
  profile: string;
}

function profileText(e: CatalogueEntry): string {
  const p = e.profile ?? HARDENED_PROFILE;
  const on = Object.entries(p)
    .filter(([k, v]) => v === true && !k.startsWith('allow'))
    .map(([k]) => k);
  return e.profile === undefined ? 'hardened' : on.length ? on.join(',') : 'none';
}

function entryJson(e: CatalogueEntry): Record<string, unknown> {
  return {
    source: e.source,
    repository: e.repository,
    normalised: e.repositoryPattern,
    ...(e.tags ? { tags: e.tags } : {}),
    ...(e.versions ? { versions: e.versions } : {}),
    ...(e.digests ? { digests: e.digests } : {}),
    ...(e.owner ? { owner: e.owner } : {}),
    ...(e.notes ? { notes: e.notes } : {}),
    profile: e.profile ?? HARDENED_PROFILE,
  };
}

export function registerCatalog(program: Command, io: CliIO): void {
  const catalog = program
    .command('catalog')
    .description(
      'the approved base-image catalogue (approved: in .bulwark.yaml) and the hardened profile check',
    );

  catalog
    .command('list')
    .description('list the approved catalogue entries')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .option('--config <file>', 'configuration file (default: .bulwark.yaml here)')
    .option('--catalogue-from <url>', 'list the catalogue of a Bulwark server (token in BULWARK_TOKEN)')
    .action(async (flags: { format: string; config?: string; catalogueFrom?: string }) => {
      const config = flags.catalogueFrom ? undefined : loadConfig(io.cwd, flags.config);
      const catalogue = flags.catalogueFrom
        ? await (await import('../server-catalogue.js')).fetchServerCatalogue(flags.catalogueFrom, io)
        : parseCatalogue(config!.data, config!.path ?? '.bulwark.yaml');
      const entries = catalogue?.entries ?? [];
      if (flags.format === 'json') {
        await emit(io, `${JSON.stringify({ entries: entries.map(entryJson) }, null, 2)}\n`);
        return;
      }
      if (entries.length === 0) {
        await emit(io, 'No approved catalogue (add approved: to .bulwark.yaml, see docs/policy.md).\n');
        return;
      }
      const lines = entries.map((e) =>
        printable(
          `${e.repositoryPattern}  tags: ${e.tags?.join(',') ?? (e.versions ? '' : 'any')}${e.versions ? ` versions: ${e.versions}` : ''}${e.digests ? ` digests: ${e.digests.length}` : ''}  profile: ${profileText(e)}${e.owner ? `  owner: ${e.owner}` : ''}${e.notes ? `  — ${e.notes}` : ''}`,
        ),
      );
      await emit(io, `${lines.join('\n')}\n`);
    });

  const verify = catalog
    .command('verify')
    .description(
      'check an image point by point against the hardened profile of its catalogue entry: approved, non-root user, no shell, no package manager, no setuid/setgid file, no fixable critical/high vulnerability, SBOM and provenance attestations',
    )
    .argument('<image>', 'the image (see Targets below)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices([...VERIFY_FORMATS]).default('table'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option(
      '--name <reference>',
      'the name to look the image up under in the catalogue (default: its tag in the archive or registry)',
    )
    .addOption(
      new Option(
        '--profile <profile>',
        "which profile: the catalogue entry's (entry; the full hardened profile when the image matches none) or always the full one",
      )
        .choices(['entry', 'hardened'])
        .default('entry'),
    );
  addPolicyCommonOptions(verify)
    .addHelpText(
      'after',
      `${targetHelp()}

Shells looked for in /bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin: sh, bash, dash,
ash, zsh, ksh, mksh, csh, tcsh, fish, busybox. Package managers: apt, apt-get, aptitude, dpkg, apk, rpm,
yum, dnf, microdnf, tdnf, zypper, pacman, opkg. Attestations are read from the image's registry (OCI
referrers API or its sha256-<digest> tag, cosign .att/.sbom tags, BuildKit attestation manifests).

A point that cannot be checked (attestations of an image read from an archive) is "unknown" and counts
as not met.

Exit codes: 0 the image meets the profile, 1 (or --exit-code) it does not; 2 usage, 3 input, 4 database,
5 network, 70 internal error.

Examples:
  bulwark catalog verify registry://ghcr.io/acme/base:12-hardened
  bulwark catalog verify archive://golden.tar --name ghcr.io/acme/base:12 -f json`,
    )
    .action(async (image: string, flags: VerifyFlags) => {
      const exitCode = parseExitCode(flags.exitCode);
      sourceOptions(flags, io);
      if (flags.name !== undefined && !flags.name.trim())
        throw new UsageError('--name: give an image reference');
      const bar = progress(io, 'reading', flags.quiet === true);
      let run;
      try {
        run = await verifyCatalogImage(image, {
          ...(await policyRunOptions(flags, io, bar)),
          ...(flags.name ? { reference: flags.name } : {}),
          ...(flags.profile === 'hardened' ? { profile: HARDENED_PROFILE } : {}),
        });
      } finally {
        bar.done();
      }
      const v = run.verification;
      const text =
        flags.format === 'json'
          ? renderVerifyJson(v)
          : renderVerifyTable(v, { color: !flags.output && io.stdout.isTTY === true && !io.env.NO_COLOR });
      await emit(io, text, flags.output);
      if (!v.passed) {
        const bad = v.checks.filter((c) => c.status === 'fail' || c.status === 'unknown').map((c) => c.id);
        io.stderr.write(`bulwark: ${v.image.name ?? image} does not meet the profile: ${bad.join(', ')}\n`);
        throw new ExitWith(exitCode);
      }
    });
}
