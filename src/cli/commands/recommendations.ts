/** `bulwark recommendations <image>` (alias `recs`): better base images and the fix plan. */
import { Option, type Command } from 'commander';
import { loadConfig } from '../../config/load.js';
import { checkApproval, parseCatalogue, type ApprovedCatalogue } from '../../policy/approved/catalogue.js';
import { UsageError } from '../../util/errors.js';
import { ExitWith } from '../exit.js';
import type { CliIO } from '../io.js';
import { emit } from '../output.js';
import { progress } from '../progress.js';
import { addDbOptions, scanOptions, type DbFlags, type PolicyFlags } from './scan-common.js';
import { addTargetOptions, sourceOptions, targetHelp, type TargetFlags } from './sbom.js';

export const RECOMMENDATION_FORMATS = ['table', 'json', 'markdown'] as const;

interface RecommendFlags extends TargetFlags, DbFlags, PolicyFlags {
  format: string;
  output?: string;
  alternative?: string[];
  maxCandidates?: string;
  failOnOutdated?: boolean;
  config?: string;
  catalogueFrom?: string;
}

/**
 * The approved catalogue's concrete images (a repository without wildcards and a tag without them) as
 * alternatives to consider, at most `max`, in catalogue order.
 */
export function catalogueAlternatives(catalogue: ApprovedCatalogue, max: number): string[] {
  const out: string[] = [];
  const wild = /[*?[\]{}]/;
  for (const e of catalogue.entries) {
    if (wild.test(e.repositoryPattern)) continue;
    for (const tag of e.tags ?? []) if (!wild.test(tag)) out.push(`${e.repositoryPattern}:${tag}`);
  }
  return [...new Set(out)].slice(0, max);
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function registerRecommendations(program: Command, io: CliIO): void {
  const cmd = program
    .command('recommendations')
    .alias('recs')
    .description(
      'for the base image of an image: a refresh, updates and approved alternatives with the vulnerabilities each removes and adds, and a fix plan',
    )
    .argument('<image>', 'the image (see Targets below)')
    .addOption(
      new Option('-f, --format <format>', 'output format')
        .choices([...RECOMMENDATION_FORMATS])
        .default('table'),
    )
    .option('-o, --output <file>', 'write the result to a file instead of stdout')
    .option(
      '--alternative <ref>',
      'also consider this base image (e.g. an approved hardened image); repeatable',
      collect,
    )
    .option('--max-candidates <n>', 'scan at most this many candidate base images', '5')
    .option('--fail-on-outdated', 'exit 1 when the base image tag now points to a newer digest')
    .option(
      '--config <file>',
      'configuration file (default .bulwark.yaml in the current folder); its `approved:` catalogue marks approved candidates and adds its images as alternatives',
    )
    .option(
      '--catalogue-from <url>',
      "use a Bulwark server's approved catalogue instead (token in BULWARK_TOKEN)",
    );
  addDbOptions(addTargetOptions(cmd))
    .addHelpText(
      'after',
      `${targetHelp()}

The base image is detected from OCI annotations, from its layers (images scanned before, candidates
pulled, the approved catalogue) or from --dockerfile. Candidates are tags of the base's repository,
listed from its registry and chosen by a documented rule (docs/base-images.md): the same tag rebuilt
(refresh), the newest version of the same variant, a slimmer variant (-slim, …). Each is scanned
through the layer cache against the same database.

Exit codes: 0 ok (also when no base image was detected: the output says so), 1 with --fail-on-outdated
when the base's tag now points to a newer digest; 2 usage, 3 input, 4 database, 5 network or
registry (e.g. the tags list could not be read), 70 internal error.

Examples:
  bulwark recommendations registry://ghcr.io/acme/web:1.4
  bulwark recs oci-dir://build/image --dockerfile Dockerfile -f markdown -o recs.md
  bulwark recs archive://app.tar --alternative registry.example/hardened/debian:12 -f json`,
    )
    .action(async (target: string, flags: RecommendFlags) => {
      const max = Number(flags.maxCandidates ?? '5');
      if (!/^\d+$/.test(String(flags.maxCandidates ?? '5')) || max < 1 || max > 50)
        throw new UsageError(
          `--max-candidates must be a whole number from 1 to 50, got "${flags.maxCandidates}"`,
        );
      sourceOptions(flags, io);
      const [{ recommendBaseImages }, render] = await Promise.all([
        import('../../engine/recommend.js'),
        import('../../baseimage/recommendations.js'),
      ]);
      // The approved catalogue (`approved:` in the config file, or a server's): which candidates are
      // approved, and its concrete images as alternatives besides the repository's own tags.
      const catalogue = flags.catalogueFrom
        ? await (await import('../server-catalogue.js')).fetchServerCatalogue(flags.catalogueFrom, io)
        : (() => {
            const config = loadConfig(io.cwd, flags.config);
            return parseCatalogue(config.data, config.path ?? '.bulwark.yaml');
          })();
      const alternatives = [
        ...new Set([
          ...(flags.alternative ?? []),
          ...(catalogue ? catalogueAlternatives(catalogue, max) : []),
        ]),
      ];
      const bar = progress(io, 'reading', flags.quiet === true);
      let result;
      try {
        result = await recommendBaseImages(target, {
          ...scanOptions(flags, io, bar),
          maxCandidates: max,
          ...(alternatives.length ? { alternatives } : {}),
          ...(catalogue
            ? {
                approval: (reference: string, digest?: string) =>
                  checkApproval(catalogue, reference, digest).approved,
              }
            : {}),
        });
      } finally {
        bar.done();
      }
      const text =
        flags.format === 'json'
          ? render.renderRecommendationsJson(result)
          : flags.format === 'markdown'
            ? render.renderRecommendationsMarkdown(result)
            : render.renderRecommendationsTable(result);
      await emit(io, text, flags.output);
      if (flags.failOnOutdated && result.upToDate === false) {
        io.stderr.write(
          `bulwark: the base image ${result.current?.reference ?? ''} now points to a newer digest\n`,
        );
        throw new ExitWith(1);
      }
    });
}
