/**
 * Every CLI command, in the order `bulwark --help` lists them. Each is loaded only when it runs (or for
 * the full help), so starting `bulwark sbom` does not load the database, the linter or the reports.
 */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';

export type RegisterCommand = (program: Command, io: CliIO) => void;

export interface CommandEntry {
  /** The command's name and aliases, as typed on the command line. */
  readonly names: readonly string[];
  readonly load: () => Promise<RegisterCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { names: ['sbom'], load: async () => (await import('./sbom.js')).registerSbom },
  { names: ['scan', 'cves'], load: async () => (await import('./scan.js')).registerScan },
  { names: ['quickview', 'qv'], load: async () => (await import('./quickview.js')).registerQuickview },
  {
    names: ['recommendations', 'recs'],
    load: async () => (await import('./recommendations.js')).registerRecommendations,
  },
  { names: ['compare'], load: async () => (await import('./compare.js')).registerCompare },
  { names: ['cache'], load: async () => (await import('./cache.js')).registerCache },
  { names: ['lint'], load: async () => (await import('./lint.js')).registerLint },
  { names: ['secrets'], load: async () => (await import('./secrets.js')).registerSecrets },
  { names: ['db'], load: async () => (await import('./db.js')).registerDb },
  { names: ['server'], load: async () => (await import('./server.js')).registerServer },
  { names: ['worker'], load: async () => (await import('./worker.js')).registerWorker },
];

/** The commands to register for `argv`: just the one being run, or all of them (help, typos). */
export async function commandsFor(argv: readonly string[]): Promise<RegisterCommand[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  if (first === undefined && (argv.includes('-v') || argv.includes('--version'))) return [];
  const hit = first === undefined ? undefined : COMMANDS.find((c) => c.names.includes(first));
  const chosen = hit ? [hit] : COMMANDS;
  return Promise.all(chosen.map((c) => c.load()));
}
