import { PassThrough } from 'node:stream';
import { z } from 'zod';
import type { Coordination } from '../../queue/index.js';
import { route, type Route } from '../../http/route.js';
import { projectParams } from '../../http/schemas.js';
import { taskChannel } from '../engine/messages.js';
import type { TaskService } from './task-service.js';
import { maskPasswords } from './password-mask.js';

/**
 * Live events of a task over Server-Sent Events: first a `snapshot` of every node's state, then
 * one `transition` event per change, so a client that (re)connects never misses the current state.
 * Errors are masked like every view of the task (a plugin's message may quote a password input).
 */
export function taskEventsRoute(tasks: TaskService, coordination: Coordination): Route {
  return route({
    id: 'task.events', method: 'get', path: '/api/v1/projects/:projectId/tasks/:taskId/events', tag: 'tasks', auth: { project: 'read' }, raw: true,
    summary: 'Server-Sent Events: a snapshot, then every task and node transition', params: projectParams.extend({ taskId: z.string().min(1).max(64) }),
    async handler({ project, params, koa }) {
      const stream = new PassThrough();
      let secrets: string[] = [];
      const write = (event: string, data: unknown) => stream.write(`event: ${event}\ndata: ${JSON.stringify(maskPasswords(data, secrets))}\n\n`);
      // Listened for before anything is awaited: a client that leaves while the stream is being set
      // up ends the subscription too (else it and its heartbeat ran on for good).
      let gone = false;
      let unsubscribe: (() => Promise<void>) | undefined = undefined;
      let heartbeat: NodeJS.Timeout | undefined = undefined;
      const stop = () => {
        gone = true;
        clearInterval(heartbeat);
        const end = unsubscribe;
        unsubscribe = undefined;
        void end?.();
      };
      koa.req.once('close', stop);
      // Subscribed before the snapshot is read, so no transition falls between them; the ones that
      // arrive meanwhile are held and follow the snapshot: one that committed after the read must
      // not come first and be undone by it. (One the snapshot shows already is repeated: harmless.)
      let held: unknown[] | undefined = [];
      unsubscribe = await coordination.events.subscribe(taskChannel(params.taskId), (e) => (held ? held.push(e) : write('transition', e)));
      let status: Awaited<ReturnType<TaskService['status']>>;
      try {
        status = await tasks.status(project.id, params.taskId, false);
        secrets = await tasks.passwords(params.taskId);
      } catch (err) {
        // No such task here (404): nobody will close this stream, so nothing else would unsubscribe.
        stop();
        throw err;
      }
      if (gone) {
        stop();
        return undefined;
      }
      const { task, nodes } = status;
      koa.req.socket.setTimeout(0);
      koa.set({ 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
      koa.type = 'text/event-stream';
      koa.status = 200;
      koa.body = stream;
      write('snapshot', { taskId: task.id, state: task.state, nodes: Object.fromEntries(nodes.map((n) => [n.nodeId, { state: n.state, version: n.version, loop: n.loop, error: n.error }])) });
      for (const e of held) write('transition', e);
      held = undefined;
      heartbeat = setInterval(() => stream.write(': keep-alive\n\n'), 15_000);
      stream.on('error', stop);
      return undefined;
    },
  });
}
