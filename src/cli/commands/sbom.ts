import type { Command } from 'commander';
import type { CliIO } from '../io.js';

export function registerSbom(program: Command, _io: CliIO): void {
  program.command('sbom <target>').description('list the packages in an image or folder (an SBOM)');
}
