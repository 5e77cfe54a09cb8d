/** Rust crates: crates.io names as published. */
import { languageMatcher } from './language.js';

export const cargoMatcher = languageMatcher('crates-io', 'cargo', 'crates.io');
