import { z } from 'zod';
import { route, type Route } from '../http/route.js';
import { iso } from '../http/schemas.js';
import type { TrustService } from './trust-service.js';
import type { TrustedKey } from './trust-store.js';

const keyView = (k: TrustedKey) => ({
  org: k.org, keyId: k.keyId, publicKey: k.publicKey, pinned: k.pinned, note: k.note, addedBy: k.addedBy,
  addedAt: iso(k.addedAt), updatedAt: iso(k.updatedAt),
});
const keyParams = z.object({ org: z.string().min(1).max(64), keyId: z.string().min(1).max(64) });

/** The trust store: organisations and their public keys. Reading is open to users; changes need an administrator. */
export function trustRoutes(trust: TrustService): Route[] {
  return [
    route({
      id: 'registry.trust.list', method: 'get', path: '/api/v1/registry/trust', tag: 'registry', auth: 'user',
      summary: 'Organisations and their keys; only pinned keys make a plugin signature trusted', query: z.object({ org: z.string().max(64).optional() }),
      async handler({ query }) { return { items: (await trust.list(query.org)).map(keyView) }; },
    }),
    route({
      id: 'registry.trust.add', method: 'post', path: '/api/v1/registry/trust', tag: 'registry', auth: 'admin', status: 201,
      summary: 'Add an organisation\'s ed25519 public key (PEM or base64); pinned (trusted) unless pinned=false',
      body: z.object({ org: z.string().min(1).max(64), publicKey: z.string().min(1).max(4096), pinned: z.boolean().optional(), note: z.string().max(500).nullable().optional() }),
      async handler({ body, caller, audit }) {
        const k = await trust.add({ ...body, pinned: body.pinned ?? true }, caller.username);
        audit({ kind: 'trusted-key', id: `${k.org}/${k.keyId}`, detail: { pinned: k.pinned } });
        return keyView(k);
      },
    }),
    route({
      id: 'registry.trust.pin', method: 'post', path: '/api/v1/registry/trust/:org/keys/:keyId/pin', tag: 'registry', auth: 'admin',
      summary: 'Pin (trust) or unpin a key', params: keyParams, body: z.object({ pinned: z.boolean() }),
      async handler({ params, body, audit }) {
        audit({ kind: 'trusted-key', id: `${params.org}/${params.keyId}`, detail: { pinned: body.pinned } });
        return keyView(await trust.setPinned(params.org, params.keyId, body.pinned));
      },
    }),
    route({
      id: 'registry.trust.remove', method: 'delete', path: '/api/v1/registry/trust/:org/keys/:keyId', tag: 'registry', auth: 'admin',
      summary: 'Remove a key; versions signed with it no longer install as verified', params: keyParams,
      async handler({ params, audit }) {
        audit({ kind: 'trusted-key', id: `${params.org}/${params.keyId}` });
        await trust.remove(params.org, params.keyId);
        return undefined;
      },
    }),
  ];
}
