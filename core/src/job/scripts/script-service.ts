import type { ScriptLanguage } from '@opsloom/agent/protocol';
import { ConflictError, NotFoundError, StateError } from '../../errors.js';
import { isUniqueViolation } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { ScriptNotRunnableError } from '../job-errors.js';
import type { Script, ScriptStore, ScriptVersion } from './script-store.js';

/** Whose library: a project's id, or null for the public scripts every project can run. */
export type ScriptScope = string | null;

/** A script with all its versions. */
export interface ScriptDetail extends Script {
  versions: ScriptVersion[];
}

/**
 * The script library (bk-job's script management). A version is `draft` (the only editable state),
 * `online` (at most one per script; publishing moves the previous one to `offline`), `offline` (still
 * runnable when named explicitly) or `disabled` (the emergency stop: refuses every run that references it).
 */
export class ScriptService {
  constructor(private readonly store: ScriptStore) {}

  /** Creates a script with its first version, as a draft. */
  async create(scope: ScriptScope, userId: string, input: { name: string; language: ScriptLanguage; description?: string | null; version?: string; content: string }): Promise<ScriptDetail> {
    if (await this.store.byName(scope, input.name)) throw new ConflictError(`a script named "${input.name}" exists already`, 'script_exists');
    const now = Date.now();
    const script: Script = {
      id: newId(), projectId: scope, name: input.name, language: input.language, description: input.description ?? null,
      createdBy: userId, createdAt: now, updatedAt: now,
    };
    const version: ScriptVersion = {
      id: newId(), scriptId: script.id, version: input.version ?? '1', content: input.content, status: 'draft', description: null,
      createdBy: userId, createdAt: now, updatedAt: now,
    };
    await this.store.insert(script, version);
    return { ...script, versions: [version] };
  }

  list(scope: ScriptScope): Promise<(Script & { onlineVersionId: string | null })[]> {
    return this.store.list(scope);
  }

  async get(scope: ScriptScope, scriptId: string): Promise<ScriptDetail> {
    const script = await this.#script(scope, scriptId);
    return { ...script, versions: await this.store.versions(script.id) };
  }

  async update(scope: ScriptScope, scriptId: string, patch: { name?: string; description?: string | null }): Promise<ScriptDetail> {
    const script = await this.#script(scope, scriptId);
    if (patch.name !== undefined && patch.name !== script.name && (await this.store.byName(scope, patch.name))) {
      throw new ConflictError(`a script named "${patch.name}" exists already`, 'script_exists');
    }
    await this.store.update(script.id, patch, Date.now());
    return this.get(scope, scriptId);
  }

  /** Deletes a script and its versions; refused while a version is online (take it offline by disabling it first). */
  async delete(scope: ScriptScope, scriptId: string): Promise<void> {
    const script = await this.#script(scope, scriptId);
    if (await this.store.onlineVersion(script.id)) {
      throw new StateError(`script ${script.name} has an online version; disable it before deleting the script`, 'script_online');
    }
    await this.store.delete(script.id);
  }

  /** Adds a draft version, copying `fromVersionId`'s text when no content is given. */
  async addVersion(scope: ScriptScope, scriptId: string, userId: string, input: { version: string; content?: string; description?: string | null; fromVersionId?: string }): Promise<ScriptVersion> {
    const script = await this.#script(scope, scriptId);
    let content = input.content;
    if (content === undefined) {
      const from = input.fromVersionId ? await this.#version(script, input.fromVersionId) : (await this.store.versions(script.id))[0];
      content = from?.content ?? '';
    }
    const now = Date.now();
    const v: ScriptVersion = {
      id: newId(), scriptId: script.id, version: input.version, content, status: 'draft', description: input.description ?? null,
      createdBy: userId, createdAt: now, updatedAt: now,
    };
    try {
      await this.store.insertVersion(v);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`script ${script.name} has a version "${input.version}" already`, 'script_version_exists');
      throw err;
    }
    return v;
  }

  /** Edits a draft. */
  async updateVersion(scope: ScriptScope, scriptId: string, versionId: string, patch: { version?: string; content?: string; description?: string | null }): Promise<ScriptVersion> {
    const script = await this.#script(scope, scriptId);
    const v = await this.#version(script, versionId);
    if (v.status !== 'draft') throw new StateError(`version ${v.version} is ${v.status}; only drafts can be edited (add a new version instead)`, 'script_version_not_draft');
    try {
      await this.store.updateVersion(v.id, patch, Date.now());
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`script ${script.name} has a version "${patch.version}" already`, 'script_version_exists');
      throw err;
    }
    return (await this.store.version(v.id))!;
  }

  /** Puts a draft or offline version online; the previous online version goes offline. */
  async publish(scope: ScriptScope, scriptId: string, versionId: string): Promise<ScriptVersion> {
    const script = await this.#script(scope, scriptId);
    const v = await this.#version(script, versionId);
    if (v.status === 'disabled') throw new StateError(`version ${v.version} is disabled and cannot be published again; add a new version`, 'script_version_disabled');
    if (v.status !== 'online') await this.store.publish(script.id, v.id, Date.now());
    return (await this.store.version(v.id))!;
  }

  /** The emergency stop: every run that references this version is refused from now on. */
  async disable(scope: ScriptScope, scriptId: string, versionId: string): Promise<ScriptVersion> {
    const script = await this.#script(scope, scriptId);
    const v = await this.#version(script, versionId);
    if (v.status === 'draft') throw new StateError(`version ${v.version} is a draft; delete it instead`, 'script_version_draft');
    await this.store.setStatus(v.id, 'disabled', Date.now());
    return (await this.store.version(v.id))!;
  }

  /** Deletes a version that is not online. */
  async deleteVersion(scope: ScriptScope, scriptId: string, versionId: string): Promise<void> {
    const script = await this.#script(scope, scriptId);
    const v = await this.#version(script, versionId);
    if (v.status === 'online') throw new StateError(`version ${v.version} is online; publish another version or disable it first`, 'script_online');
    await this.store.deleteVersion(v.id);
  }

  /** Jobs that referenced the script (bk-job's "cited by"). */
  async references(scope: ScriptScope, scriptId: string, limit = 100): Promise<Awaited<ReturnType<ScriptStore['references']>>> {
    const script = await this.#script(scope, scriptId);
    return this.store.references(script.id, limit);
  }

  /**
   * The version a run in `projectId` may use: `versionId` (online or offline), else the script's online
   * version. The project's own scripts and public scripts are visible.
   * @throws NotFoundError, ScriptNotRunnableError
   */
  async resolveForRun(projectId: string, ref: { scriptId?: string; versionId?: string }): Promise<{ script: Script; version: ScriptVersion }> {
    if (ref.versionId) {
      const v = await this.store.version(ref.versionId);
      const script = v ? await this.store.get(v.scriptId) : undefined;
      if (!v || !script || (script.projectId !== null && script.projectId !== projectId) || (ref.scriptId && ref.scriptId !== script.id)) {
        throw new NotFoundError('script version', ref.versionId);
      }
      this.assertRunnable(script, v);
      return { script, version: v };
    }
    const script = await this.store.get(ref.scriptId ?? '');
    if (!script || (script.projectId !== null && script.projectId !== projectId)) throw new NotFoundError('script', ref.scriptId ?? '');
    const v = await this.store.onlineVersion(script.id);
    if (!v) throw new ScriptNotRunnableError(`script ${script.name} has no online version; publish one or run a version explicitly`, 'script_not_online');
    return { script, version: v };
  }

  /** Re-checks, before a later batch or a retry, that the version a job runs has not been disabled since. */
  async assertStillRunnable(versionId: string): Promise<void> {
    const v = await this.store.version(versionId);
    const script = v ? await this.store.get(v.scriptId) : undefined;
    if (!v || !script) throw new ScriptNotRunnableError(`script version ${versionId} was deleted`, 'script_disabled');
    this.assertRunnable(script, v);
  }

  assertRunnable(script: Script, v: ScriptVersion): void {
    if (v.status === 'disabled') throw new ScriptNotRunnableError(`version ${v.version} of script ${script.name} is disabled; runs that reference it are refused`, 'script_disabled');
    if (v.status === 'draft') throw new ScriptNotRunnableError(`version ${v.version} of script ${script.name} is a draft; publish it first`, 'script_version_draft');
  }

  async #script(scope: ScriptScope, id: string): Promise<Script> {
    const s = await this.store.get(id);
    if (!s || s.projectId !== scope) throw new NotFoundError('script', id);
    return s;
  }

  async #version(script: Script, id: string): Promise<ScriptVersion> {
    const v = await this.store.version(id);
    if (!v || v.scriptId !== script.id) throw new NotFoundError('script version', id);
    return v;
  }
}
