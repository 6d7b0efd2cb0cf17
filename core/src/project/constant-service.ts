import { NotFoundError } from '../errors.js';
import { TtlCache } from '../store/ttl-cache.js';
import type { ProjectConstant, ProjectConstantStore } from './constant-store.js';

/**
 * Largest value, in UTF-8 bytes: what the `value` column (TEXT) holds on MariaDB, so a value
 * accepted here is never cut or refused by the database.
 */
export const MAX_CONSTANT_VALUE_BYTES = 65_535;

/** Longest description, in characters: the width of its column. */
export const MAX_CONSTANT_DESCRIPTION = 500;

/**
 * How long a process serves a project's constant values from memory: every expression scope
 * needs them, and a change must still reach the other core processes of a cluster soon.
 */
const VALUES_TTL_MS = 2_000;

/**
 * A project's constants (bk-sops' project constants): strings that every flow of the project
 * reads as `${_env_KEY}`. Keys follow the variable-key rule, so `_env_KEY` is a bare identifier
 * inside an expression. Other modules reach this service as `ModuleContext.constants`.
 *
 * @example
 * await constants.set(projectId, { key: 'DB_HOST', value: 'db.internal', description: null });
 * await constants.values(projectId); // { DB_HOST: 'db.internal' }
 */
export class ProjectConstantService {
  readonly #values = new TtlCache<Record<string, string>>(VALUES_TTL_MS);

  constructor(private readonly store: ProjectConstantStore) {}

  /** Every constant of the project with its value and description, by key. */
  list(projectId: string): Promise<ProjectConstant[]> {
    return this.store.list(projectId);
  }

  /** The keys of the project's constants, read now (template validation must not see a stale list). */
  keys(projectId: string): Promise<string[]> {
    return this.store.keys(projectId);
  }

  /**
   * Key → value, as expressions read them. Served from a short cache: a change made through this
   * process is seen at once, one made through another core process within 2 seconds.
   */
  values(projectId: string): Promise<Record<string, string>> {
    return this.#values.get(projectId, async () => Object.fromEntries((await this.store.list(projectId)).map((c) => [c.key, c.value])));
  }

  /** Creates or replaces a constant; `created` is false when it replaced one. */
  async set(projectId: string, constant: ProjectConstant): Promise<{ constant: ProjectConstant; created: boolean }> {
    const created = await this.store.put(projectId, constant);
    this.#values.delete(projectId);
    return { constant, created };
  }

  /** @throws NotFoundError when the project has no constant `key` */
  async delete(projectId: string, key: string): Promise<void> {
    const deleted = await this.store.delete(projectId, key);
    this.#values.delete(projectId);
    if (!deleted) throw new NotFoundError('project constant', key);
  }
}
