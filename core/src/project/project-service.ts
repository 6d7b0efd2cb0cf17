import { ConflictError, ForbiddenError, NotFoundError, StateError, ValidationError } from '../errors.js';
import type { Caller, ProjectScope } from '../http/route.js';
import { minRole, roleAllows, type Permission, type Role } from '../auth/roles.js';
import type { UserStore } from '../auth/user-store.js';
import { isUniqueViolation } from '../store/db.js';
import { newId } from '../store/ids.js';
import type { Member, Project, ProjectStore } from './project-store.js';

/** True when `tz` is an IANA time zone this runtime knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Projects, their members and roles; decides the caller's effective role in a project. */
export class ProjectService {
  constructor(private readonly projects: ProjectStore, private readonly users: UserStore) {}

  /** Creates a project; its creator becomes its admin. */
  async create(caller: Caller, input: { key: string; name: string; description?: string | null; timeZone?: string }): Promise<Project> {
    if (caller.tokenProjectId) throw new ForbiddenError('a project-scoped token cannot create projects');
    const timeZone = input.timeZone ?? 'UTC';
    if (!isTimeZone(timeZone)) throw new ValidationError(`body.timeZone: unknown time zone "${timeZone}"`, [{ path: 'body.timeZone', message: 'unknown time zone' }]);
    const project: Project = {
      id: newId(), key: input.key, name: input.name, description: input.description ?? null, timeZone,
      createdBy: caller.userId, createdAt: Date.now(),
    };
    try {
      await this.projects.insert(project);
    } catch (err) {
      if (isUniqueViolation(err)) throw new ConflictError(`a project with key ${input.key} exists already`, 'project_exists');
      throw err;
    }
    await this.projects.setMember(project.id, caller.userId, 'admin');
    return project;
  }

  /**
   * The caller's view of a project: system administrators act as project admins; members act with
   * their role, capped by their token's role. Non-members get NotFound, so keys do not leak.
   */
  async scope(caller: Caller, idOrKey: string): Promise<ProjectScope> {
    const p = await this.projects.find(idOrKey);
    if (!p) throw new NotFoundError('project', idOrKey);
    if (caller.tokenProjectId && caller.tokenProjectId !== p.id) {
      throw new ForbiddenError(`this API token is limited to another project than ${p.key}`);
    }
    let role: Role | undefined = caller.isAdmin ? 'admin' : await this.projects.roleOf(p.id, caller.userId);
    if (!role) {
      // A system admin whose token is project-scoped keeps admin rights in that project.
      const user = caller.tokenProjectId ? await this.users.byId(caller.userId) : undefined;
      if (user?.isAdmin) role = 'admin';
    }
    if (!role) throw new NotFoundError('project', idOrKey);
    if (caller.tokenRole) role = minRole(role, caller.tokenRole);
    return { id: p.id, key: p.key, name: p.name, timeZone: p.timeZone, role };
  }

  /**
   * Why `username` may not do `permission` in a project now, or undefined when they may: for work
   * done later in a user's name (a periodic task fires as its creator), who may lose the right meanwhile.
   */
  async refusal(projectId: string, username: string, permission: Permission): Promise<string | undefined> {
    const user = await this.users.byUsername(username);
    if (!user) return `user ${username} no longer exists`;
    if (user.disabled) return `user ${username} is disabled`;
    if (user.isAdmin) return undefined;
    const role = await this.projects.roleOf(projectId, user.id);
    if (!role) return `user ${username} is no longer a member of this project`;
    return roleAllows(role, permission) ? undefined : `user ${username} is only a ${role} of this project`;
  }

  async get(id: string): Promise<Project> {
    const p = await this.projects.find(id);
    if (!p) throw new NotFoundError('project', id);
    return p;
  }

  /** Every project for administrators; the caller's own projects otherwise. */
  async listFor(caller: Caller): Promise<(Project & { role: Role })[]> {
    if (caller.isAdmin) return (await this.projects.list()).map((p) => ({ ...p, role: 'admin' as Role }));
    const mine = await this.projects.listFor(caller.userId);
    return caller.tokenProjectId ? mine.filter((p) => p.id === caller.tokenProjectId) : mine;
  }

  async update(id: string, patch: { name?: string; description?: string | null; timeZone?: string }): Promise<Project> {
    if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) {
      throw new ValidationError(`body.timeZone: unknown time zone "${patch.timeZone}"`, [{ path: 'body.timeZone', message: 'unknown time zone' }]);
    }
    await this.projects.update(id, patch);
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    await this.projects.delete(id);
  }

  members(projectId: string): Promise<Member[]> {
    return this.projects.members(projectId);
  }

  /** Adds a member or changes a role; a project never loses its last admin. */
  async setMember(projectId: string, username: string, role: Role): Promise<Member> {
    const user = await this.users.byUsername(username);
    if (!user) throw new NotFoundError('user', username);
    const current = await this.projects.roleOf(projectId, user.id);
    if (current === 'admin' && role !== 'admin' && (await this.projects.adminCount(projectId)) <= 1) {
      throw new StateError(`${username} is the last admin of this project; make someone else admin first`, 'last_admin');
    }
    await this.projects.setMember(projectId, user.id, role);
    return (await this.projects.members(projectId)).find((m) => m.userId === user.id)!;
  }

  async removeMember(projectId: string, username: string): Promise<void> {
    const user = await this.users.byUsername(username);
    if (!user) throw new NotFoundError('user', username);
    const current = await this.projects.roleOf(projectId, user.id);
    if (!current) throw new NotFoundError('member', username);
    if (current === 'admin' && (await this.projects.adminCount(projectId)) <= 1) {
      throw new StateError(`${username} is the last admin of this project`, 'last_admin');
    }
    await this.projects.removeMember(projectId, user.id);
  }
}
