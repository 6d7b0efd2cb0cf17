import { iso } from '../http/schemas.js';
import type { CmdbModule, CmdbSet, DynamicGroup } from './cmdb-model.js';

export const setView = (s: CmdbSet) => ({ id: s.id, name: s.name, description: s.description, createdAt: iso(s.createdAt), updatedAt: iso(s.updatedAt) });
export const moduleView = (m: CmdbModule) => ({ ...setView(m), setId: m.setId });
export const groupView = (g: DynamicGroup) => ({
  id: g.id, name: g.name, description: g.description, query: g.query, createdBy: g.createdBy, createdAt: iso(g.createdAt),
  updatedBy: g.updatedBy, updatedAt: iso(g.updatedAt),
});
