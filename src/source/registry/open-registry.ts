/**
 * `registry://ref` (and bare references): an image pulled from a registry as a {@link Source}. The
 * index/manifest resolution, platform choice, layer references and the single-pass walk are the ones
 * every image format shares (image-source.ts); only the BlobStore differs.
 *
 * Layers are fetched one after another, in walk order: the visitor decides per layer whether it needs it
 * (a cache hit answers 'skip' from layerStart, and that layer is then never requested), so fetching
 * ahead would download layers that turn out not to be needed. Instead each layer is read ahead into a
 * bounded buffer, which keeps the connection busy while the layer reader decompresses and parses.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../util/errors.js';
import { openResolvedImage, resolveManifest, type ImageSource } from '../image/image-source.js';
import { parseJson } from '../image/oci.js';
import type { LayerLimits } from '../layer/read-layer.js';
import type { Platform } from '../types.js';
import { RegistryAuth, resolveCredentials, type CredentialOptions } from './auth.js';
import { RegistryClient } from './client.js';
import { formatReference, manifestReference, parseReference, type ImageReference } from './reference.js';
import { Transport, type TransportOptions } from './transport.js';

/** Registry settings from the command line and environment. */
export interface RegistryOptions
  extends Omit<TransportOptions, 'caCerts'>, Omit<CredentialOptions, 'password'> {
  /** `--ca-cert` files (PEM). */
  readonly caCertFiles?: readonly string[];
  /** Supplies the password for `--username` (read from stdin only when a registry is contacted). */
  readonly password?: string | (() => Promise<string>);
}

export interface OpenRegistryOptions {
  readonly platform?: Platform;
  readonly limits?: LayerLimits;
  readonly registry?: RegistryOptions;
}

async function caCerts(files: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (err) {
      throw new InputError(
        'E_CA_CERT',
        `--ca-cert ${f}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----'))
      throw new InputError('E_CA_CERT', `--ca-cert ${f}: not a PEM certificate`);
    out.push(text);
  }
  return out;
}

/** A client of the repository `ref` names, with the transport and credentials of `reg` (close it). */
export async function registryClient(
  ref: ImageReference,
  reg: RegistryOptions = {},
): Promise<RegistryClient> {
  const transport = new Transport({ ...reg, caCerts: await caCerts(reg.caCertFiles ?? []) });
  const auth = new RegistryAuth(ref.registry, transport, async () => {
    const password = typeof reg.password === 'function' ? await reg.password() : reg.password;
    return resolveCredentials(ref.registry, {
      ...(reg.username !== undefined ? { username: reg.username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(reg.env ? { env: reg.env } : {}),
      ...(reg.dockerConfigDir ? { dockerConfigDir: reg.dockerConfigDir } : {}),
    });
  });
  return new RegistryClient(ref, transport, auth);
}

/** Every tag of the repository of `text` (a Docker-style reference; its tag or digest is ignored). */
export async function listRepositoryTags(
  text: string,
  reg: RegistryOptions = {},
  pageSize?: number,
): Promise<string[]> {
  const client = await registryClient(parseReference(text), reg);
  try {
    return await client.listTags(pageSize ? { pageSize } : {});
  } finally {
    await client.close();
  }
}

/** Open `text` (a Docker-style reference) from its registry. */
export async function openRegistry(
  text: string,
  target: string,
  options: OpenRegistryOptions = {},
): Promise<ImageSource> {
  const ref = parseReference(text);
  const client = await registryClient(ref, options.registry);
  try {
    const where = formatReference(ref);
    const top = await client.manifest(manifestReference(ref));
    const resolved = await resolveManifest(
      client,
      {
        doc: parseJson(top.bytes, `${where}: manifest`),
        digest: top.digest,
        ...(top.mediaType ? { mediaType: top.mediaType } : {}),
      },
      options.platform,
      where,
    );
    const name = `${ref.registry}/${ref.repository}`;
    // Awaited here so that a failure while reading the config still closes the client below.
    return await openResolvedImage(client, resolved, where, {
      format: 'registry',
      target,
      repoTags: ref.tag !== undefined ? [`${name}:${ref.tag}`] : [],
      repoDigests: [`${name}@${top.digest}`],
      limits: options.limits,
    });
  } catch (err) {
    await client.close();
    throw err;
  }
}
