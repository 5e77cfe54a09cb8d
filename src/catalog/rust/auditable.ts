/**
 * Decoder for cargo-auditable dependency lists: a `.dep-v0` section holding zlib-compressed JSON
 * `{"packages":[{name, version, source, kind?, dependencies?, root?}]}` where `dependencies` are
 * indices into `packages`.
 */
import { Unzlib } from 'fflate';
import { isRecord } from '../kit.js';
import { rethrowIfInternal } from '../../util/errors.js';

/** The JSON is a few KiB for real programs; anything beyond this is hostile. */
export const MAX_DEP_JSON = 8 * 1024 * 1024;

export interface AuditablePackage {
  name: string;
  version: string;
  source: string;
  kind: 'runtime' | 'build';
  dependencies: number[];
  root: boolean;
}

/** Inflate zlib data, failing once the output exceeds `limit` bytes (zip-bomb guard). */
export function inflateZlibLimited(data: Uint8Array, limit: number): Buffer {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let over = false;
  const z = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > limit) over = true;
    else chunks.push(chunk);
  });
  const STEP = 16 * 1024;
  try {
    for (let i = 0; i < data.length && !over; i += STEP) {
      z.push(data.subarray(i, Math.min(data.length, i + STEP)), i + STEP >= data.length);
    }
  } catch (err) {
    rethrowIfInternal(err);
    throw new Error(`invalid zlib data: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (over) throw new Error(`compressed data expands beyond ${limit} bytes`);
  return Buffer.concat(chunks);
}

/** Decode and validate a `.dep-v0` section. Malformed entries fail the whole list (it is one object). */
export function decodeDepV0(section: Buffer): AuditablePackage[] {
  const json = inflateZlibLimited(section, MAX_DEP_JSON).toString('utf8');
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (err) {
    rethrowIfInternal(err);
    throw new Error('cargo-auditable data is not valid JSON');
  }
  if (!isRecord(doc) || !Array.isArray(doc['packages']))
    throw new Error('cargo-auditable data has no packages list');
  const list = doc['packages'] as unknown[];
  return list.map((p, i) => {
    if (!isRecord(p) || typeof p['name'] !== 'string' || typeof p['version'] !== 'string') {
      throw new Error(`cargo-auditable package #${i} lacks a name or version`);
    }
    const deps = Array.isArray(p['dependencies']) ? p['dependencies'] : [];
    const dependencies = deps.filter(
      (d): d is number => Number.isInteger(d) && (d as number) >= 0 && (d as number) < list.length,
    );
    return {
      name: p['name'],
      version: p['version'],
      source: typeof p['source'] === 'string' ? p['source'] : 'crates.io',
      kind: p['kind'] === 'build' ? 'build' : 'runtime',
      dependencies,
      root: p['root'] === true,
    };
  });
}
