import { ConflictError, NotFoundError } from '../errors.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { SecretCipher } from './secret-cipher.js';
import type { SecretInfo, SecretStore } from './secret-store.js';

/** Secret names: the same alphabet as the `secrets.read:<name>` capability. */
export const SECRET_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** Largest secret value, in characters. */
export const MAX_SECRET_CHARS = 64 * 1024;

/**
 * A project's secret store. Values are sealed with AES-256-GCM bound to `(project, name)`, only
 * {@link read} ever opens them, and nothing here logs them. Other modules reach it as `secrets`
 * in the module registry.
 *
 * @example
 * await secrets.create(projectId, { name: 'db.password', value: 'hunter2' }, 'alice');
 * await secrets.read(projectId, 'db.password'); // 'hunter2'
 */
export class SecretService {
  constructor(private readonly store: SecretStore, private readonly cipher: SecretCipher) {}

  /** Names, descriptions and change stamps of the project's secrets, by name. */
  list(projectId: string): Promise<SecretInfo[]> {
    return this.store.list(projectId);
  }

  /** @throws ConflictError `secret_exists` when the name is taken in the project */
  async create(projectId: string, input: { name: string; value: string; description?: string | null }, by: string): Promise<SecretInfo> {
    const now = Date.now();
    const info: SecretInfo = {
      id: newId(), projectId, name: input.name, description: input.description ?? null, createdAt: now, updatedAt: now, updatedBy: by,
    };
    try {
      await this.store.insert({ ...info, createdBy: by, sealed: this.cipher.seal(input.value, binding(projectId, input.name)) });
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a secret named ${input.name} exists already; update it with PUT instead`, 'secret_exists');
      throw err;
    }
    return info;
  }

  /** Replaces the value and/or the description. @throws NotFoundError */
  async update(projectId: string, name: string, patch: { value?: string; description?: string | null }, by: string): Promise<SecretInfo> {
    const changed = await this.store.update(projectId, name, {
      ...(patch.value !== undefined ? { sealed: this.cipher.seal(patch.value, binding(projectId, name)) } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      updatedBy: by, updatedAt: Date.now(),
    });
    if (!changed) throw new NotFoundError('secret', name);
    return (await this.store.info(projectId, name))!;
  }

  /** @throws NotFoundError */
  async delete(projectId: string, name: string): Promise<void> {
    if (!(await this.store.delete(projectId, name))) throw new NotFoundError('secret', name);
  }

  /**
   * The plain value of a project's secret, for host services and other modules; never for the API.
   * @throws NotFoundError when the project has no such secret
   */
  async read(projectId: string, name: string): Promise<string> {
    const sealed = SECRET_NAME.test(name) ? await this.store.sealed(projectId, name) : undefined;
    if (sealed === undefined) throw new NotFoundError('secret', name);
    return this.cipher.open(sealed, binding(projectId, name));
  }
}

const binding = (projectId: string, name: string): string => `project-secret:${projectId}/${name}`;
