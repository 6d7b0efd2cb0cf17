import { TtlCache } from '../../store/ttl-cache.js';
import type { TaskHeader } from '../task/task-types.js';

/** What `${_system.*}` tells about the task a step runs for. */
export type SystemTask = Pick<TaskHeader, 'id' | 'name' | 'createdBy' | 'startedAt'>;

/**
 * The task `_system.*` describes: the top-level task of a subflow tree, at any depth (bk-sops: a
 * subprocess belongs to its root task, the one users look at and are notified about). The root of
 * a child is cached: its id, name and creator never change, and it started before any child was
 * launched, so every step of a subflow reads it from memory.
 */
export class RootTasks {
  /** By the child's parent task: siblings (loops, retries, several subflow nodes) share one entry. */
  private readonly roots = new TtlCache<SystemTask>(10 * 60_000);
  /** A top-level task's start time, for a task object loaded before the task started. */
  private readonly startTimes = new TtlCache<number | null>(60_000);

  constructor(private readonly header: (taskId: string) => Promise<TaskHeader | undefined>, private readonly startedAt: (taskId: string) => Promise<number | null>) {}

  async of(task: TaskHeader): Promise<SystemTask> {
    if (task.parentTaskId) return this.roots.get(task.parentTaskId, () => this.walkUp(task.parentTaskId!));
    return { id: task.id, name: task.name, createdBy: task.createdBy, startedAt: task.startedAt ?? (await this.startTimes.get(task.id, () => this.startedAt(task.id))) };
  }

  private async walkUp(taskId: string): Promise<SystemTask> {
    for (let id = taskId; ;) {
      const t = await this.header(id);
      if (!t) throw new Error(`task ${id}, a parent of a running subflow, no longer exists`);
      if (!t.parentTaskId) return { id: t.id, name: t.name, createdBy: t.createdBy, startedAt: t.startedAt ?? (await this.startedAt(t.id)) };
      id = t.parentTaskId;
    }
  }
}
