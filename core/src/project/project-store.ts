import type { Db } from '../store/db.js';
import type { Role } from '../auth/roles.js';

/** A project: bk's "business", the scope that owns templates, tasks, hosts, scripts and members. */
export interface Project {
  id: string;
  key: string;
  name: string;
  description: string | null;
  timeZone: string;
  createdBy: string;
  createdAt: number;
}

export interface Member { userId: string; username: string; displayName: string; role: Role; since: number }

interface Row {
  id: string; key: string; name: string; description: string | null; time_zone: string; created_by: string; created_at: number;
}

const toProject = (r: Row): Project => ({
  id: r.id, key: r.key, name: r.name, description: r.description, timeZone: r.time_zone, createdBy: r.created_by,
  createdAt: Number(r.created_at),
});

export class ProjectStore {
  constructor(private readonly db: Db) {}

  async insert(p: Project): Promise<void> {
    await this.db('projects').insert({
      id: p.id, key: p.key, name: p.name, description: p.description, time_zone: p.timeZone, created_by: p.createdBy,
      created_at: p.createdAt, updated_at: p.createdAt,
    });
  }

  /** Finds a project by its id or its key. */
  async find(idOrKey: string): Promise<Project | undefined> {
    const r = await this.db<Row>('projects').where({ id: idOrKey }).orWhere({ key: idOrKey }).first();
    return r && toProject(r);
  }

  async list(): Promise<Project[]> {
    return (await this.db<Row>('projects').orderBy('key')).map(toProject);
  }

  /** Projects the user is a member of, with the role. */
  async listFor(userId: string): Promise<(Project & { role: Role })[]> {
    const rows = await this.db('projects as p').join('project_members as m', 'm.project_id', 'p.id')
      .where('m.user_id', userId).orderBy('p.key').select('p.*', 'm.role');
    return rows.map((r: Row & { role: Role }) => ({ ...toProject(r), role: r.role }));
  }

  async update(id: string, patch: Partial<Pick<Project, 'name' | 'description' | 'timeZone'>>): Promise<void> {
    const row: Record<string, unknown> = { updated_at: Date.now() };
    if (patch.name !== undefined) row.name = patch.name;
    if (patch.description !== undefined) row.description = patch.description;
    if (patch.timeZone !== undefined) row.time_zone = patch.timeZone;
    await this.db('projects').where({ id }).update(row);
  }

  async delete(id: string): Promise<void> {
    await this.db('projects').where({ id }).delete();
  }

  async roleOf(projectId: string, userId: string): Promise<Role | undefined> {
    const r = await this.db('project_members').where({ project_id: projectId, user_id: userId }).first('role');
    return r?.role as Role | undefined;
  }

  /** Adds the member or changes its role. */
  async setMember(projectId: string, userId: string, role: Role): Promise<void> {
    await this.db('project_members').insert({ project_id: projectId, user_id: userId, role, created_at: Date.now() })
      .onConflict(['project_id', 'user_id']).merge({ role });
  }

  async removeMember(projectId: string, userId: string): Promise<number> {
    return this.db('project_members').where({ project_id: projectId, user_id: userId }).delete();
  }

  async members(projectId: string): Promise<Member[]> {
    const rows = await this.db('project_members as m').join('users as u', 'u.id', 'm.user_id')
      .where('m.project_id', projectId).orderBy('u.username')
      .select('u.id', 'u.username', 'u.display_name', 'm.role', 'm.created_at');
    return rows.map((r: { id: string; username: string; display_name: string; role: Role; created_at: number }) => ({
      userId: r.id, username: r.username, displayName: r.display_name, role: r.role, since: Number(r.created_at),
    }));
  }

  async adminCount(projectId: string): Promise<number> {
    const r = await this.db('project_members').where({ project_id: projectId, role: 'admin' }).count({ n: '*' }).first();
    return Number(r?.n ?? 0);
  }
}
