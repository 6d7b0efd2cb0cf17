import { spawn } from 'node:child_process';
import type { LaunchHandlers, LaunchSpec, LaunchedProcess, ProcessLauncher } from './process-launcher.js';

/**
 * Starts each process with Node's own spawn (detached: a new session and process group). The
 * fallback where the zygote cannot run; every fork copies this process's page tables and blocks
 * the event loop until the exec.
 */
export class SpawnLauncher implements ProcessLauncher {
  readonly kind = 'spawn';

  launch(spec: LaunchSpec, handlers: LaunchHandlers): LaunchedProcess {
    const child = spawn(spec.program, spec.args, {
      cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
      ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
    });
    let failed = false;
    child.once('error', (err) => {
      // 'error' also fires for a failed kill; only a process that never got a pid failed to start.
      if (child.pid !== undefined) return;
      failed = true;
      handlers.failed(err);
    });
    child.once('exit', (code, signal) => {
      if (!failed) handlers.exited(code, signal);
    });
    let open = 2;
    for (const [stream, pipe] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      pipe.on('data', (b: Buffer) => handlers.output(stream, b));
      pipe.once('close', () => {
        if (--open === 0 && !failed) handlers.drained();
      });
    }
    if (child.pid !== undefined) handlers.started(child.pid);
    return {
      release: () => {
        child.stdout.destroy();
        child.stderr.destroy();
      },
    };
  }

  async close(): Promise<void> {
    // Nothing of its own to end.
  }
}
