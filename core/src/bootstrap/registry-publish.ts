import { createHash } from 'node:crypto';
import { sriSha512 } from '@opsloom/plugin-registry';

/** A signed package as it goes to the registry. */
export interface PublishablePackage {
  /** The signed package.json. */
  pkg: Record<string, unknown> & { name: string; version: string };
  readme: string;
  tarball: Buffer;
}

/** Thrown when the registry refuses a publish; the message carries its answer. */
export class PublishRefusedError extends Error {
  readonly code = 'BOOTSTRAP_PUBLISH_REFUSED';
  constructor(readonly packageName: string, readonly status: number, detail: string) {
    super(`the registry refused to publish ${packageName} (HTTP ${status}): ${detail}`);
    this.name = 'PublishRefusedError';
  }
}

/**
 * Publishes one version with the request body `npm publish` sends (metadata plus the tarball as a
 * base64 attachment), so the registry's publish gate checks it exactly like an npm publish, without
 * the cost of spawning npm per package.
 */
export async function publishPackage(registryUrl: string, npmToken: string, p: PublishablePackage): Promise<void> {
  const base = registryUrl.endsWith('/') ? registryUrl : `${registryUrl}/`;
  const { name, version } = p.pkg;
  const file = `${name.replace(/^@[^/]+\//, '')}-${version}.tgz`;
  const meta = {
    ...p.pkg, _id: `${name}@${version}`, readme: p.readme,
    dist: {
      integrity: sriSha512(p.tarball),
      shasum: createHash('sha1').update(p.tarball).digest('hex'),
      tarball: `${base}${name}/-/${file}`,
    },
  };
  const body = {
    _id: name, name, description: p.pkg.description, readme: p.readme,
    'dist-tags': { latest: version },
    versions: { [version]: meta },
    access: null,
    _attachments: { [`${name}-${version}.tgz`]: { content_type: 'application/octet-stream', data: p.tarball.toString('base64'), length: p.tarball.length } },
  };
  const res = await fetch(new URL(encodeURIComponent(name), base), {
    method: 'PUT',
    headers: { authorization: `Bearer ${npmToken}`, 'content-type': 'application/json', 'npm-command': 'publish' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new PublishRefusedError(name, res.status, text.slice(0, 2000));
}
