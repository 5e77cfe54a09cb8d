/** Every CLI command, in the order `bulwark --help` lists them. */
import type { Command } from 'commander';
import type { CliIO } from '../io.js';
import { registerSbom } from './sbom.js';

export type RegisterCommand = (program: Command, io: CliIO) => void;

export const COMMANDS: readonly RegisterCommand[] = [registerSbom];
