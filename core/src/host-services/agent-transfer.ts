import { createHash } from 'node:crypto';
import { PluginRuntimeError, type HostCallContext } from '@opsloom/plugin-runtime';
import { z } from 'zod';
import type { CmdbService } from '../cmdb/cmdb-service.js';
import { cloudArea, ipAddress } from '../cmdb/cmdb-schemas.js';
import { jobStatus, operatorOf } from './agent-execute.js';
import { parseArgs } from './host-errors.js';
import { hostTargets, resolveHostTargets } from './host-targets.js';
import type { JobPort } from './job-port.js';
import type { UploadService } from '../upload/upload-service.js';

/** Largest file that travels through core (until the P2P transport): it rides inside a script. */
export const MAX_TRANSFER_BYTES = 2 * 1024 * 1024;
/** How long `start` waits for the source host to hand over the file. */
const SOURCE_WAIT_MS = 60_000;
const TRANSFER_TIMEOUT_SECONDS = 600;

const absolutePath = z.string().min(2).max(1024).regex(/^\/[^\0\n\r]*$/, 'must be an absolute path on one line');
const jobId = z.string().min(1).max(64);

/** `host.agent.transfer` arguments (see the host API contract). */
export const agentTransferArgs = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('start'),
    source: z.union([
      z.object({ host: z.object({ cloudArea, ip: ipAddress }).strict(), path: absolutePath.regex(/[^/]$/, 'must name a file, not a directory') }).strict(),
      z.object({ uploadId: z.string().min(1).max(64) }).strict(),
    ]),
    targets: hostTargets,
    targetPath: absolutePath,
    account: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, 'must be a user name').max(64).optional(),
  }).strict(),
  z.object({ action: z.literal('status'), jobId }).strict(),
  z.object({ action: z.literal('cancel'), jobId }).strict(),
]);

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `host.agent.transfer`, through core for now: `start` reads the source file from its host with a
 * short job (at most {@link MAX_TRANSFER_BYTES}), then starts the distribution job that writes it
 * atomically to every target; the returned `jobId` is that job, so `status` and `cancel` are the
 * job service's. A `targetPath` ending in `/`, or naming an existing directory, keeps the source's file name.
 */
export function agentTransfer(jobs: JobPort, cmdb: CmdbService | undefined, uploads?: UploadService) {
  return async (args: unknown, ctx: HostCallContext): Promise<unknown> => {
    const a = parseArgs(agentTransferArgs, args, 'agent.transfer');
    const projectId = ctx.context.projectId;
    const actor = { projectId, userId: operatorOf(ctx), username: null, origin: 'flow' as const };
    switch (a.action) {
      case 'status':
        return jobStatus(jobs, projectId, a.jobId);
      case 'cancel': {
        const job = await jobs.get(a.jobId, projectId);
        if (!job.finished) await jobs.terminate(projectId, a.jobId);
        return { ok: true };
      }
      case 'start': {
        const targets = await resolveHostTargets(cmdb, projectId, a.targets);
        let content: string;
        let name: string;
        if ('uploadId' in a.source) {
          if (!uploads) throw new PluginRuntimeError('UPLOAD_NOT_SUPPORTED', 'agent.transfer: this server keeps no uploaded files');
          const { upload, bytes } = await uploads.read(projectId, a.source.uploadId).catch((err: Error) => {
            throw new PluginRuntimeError('NOT_FOUND', `agent.transfer: ${err.message}`);
          });
          content = bytes.toString('base64');
          name = upload.name;
        } else {
          content = await readSource(jobs, actor, a.source, a.account, ctx);
          name = a.source.path.slice(a.source.path.lastIndexOf('/') + 1);
        }
        const script = [
          'set -e',
          `target=${sh(a.targetPath)}`,
          // Like cp: a path ending in / or naming an existing directory receives the file under its own name.
          `case "$target" in */) target="$target"${sh(name)} ;; *) if [ -d "$target" ]; then target="$target"/${sh(name)}; fi ;; esac`,
          'mkdir -p "$(dirname "$target")"',
          'tmp="$target.opsloom-part.$$"',
          'base64 -d > "$tmp" <<\'OPSLOOM_FILE_END\'',
          ...(content.match(/.{1,76}/g) ?? []),
          'OPSLOOM_FILE_END',
          'mv -f "$tmp" "$target"',
          'echo "wrote $(wc -c < "$target") bytes to $target"',
        ].join('\n');
        const { jobId: id } = await jobs.executeScript({
          name: `transfer ${name} · task ${ctx.context.taskId}`.slice(0, 128), content: script, language: 'bash',
          ...(targets.hostIds.length ? { hostIds: targets.hostIds } : {}), ...(targets.hosts.length ? { hosts: targets.hosts } : {}),
          ...(a.account ? { runAs: a.account } : {}), timeoutSeconds: TRANSFER_TIMEOUT_SECONDS,
        }, actor);
        return { jobId: id };
      }
    }
  };
}

/** Runs a job on the source host that prints the file as base64, waits for it and returns the base64 text. */
async function readSource(jobs: JobPort, actor: Parameters<JobPort['executeScript']>[1], source: { host: { cloudArea: number; ip: string }; path: string }, account: string | undefined, ctx: HostCallContext): Promise<string> {
  const script = [
    `f=${sh(source.path)}`,
    'if [ ! -f "$f" ] || [ ! -r "$f" ]; then echo "no readable file $f" >&2; exit 2; fi',
    `if [ "$(wc -c < "$f")" -gt ${MAX_TRANSFER_BYTES} ]; then echo "$f is larger than ${MAX_TRANSFER_BYTES} bytes" >&2; exit 3; fi`,
    // Size and digest first: core checks what arrived against them (the log may have been cut short).
    'printf "opsloom-file %s %s\\n" "$(wc -c < "$f" | tr -d " ")" "$(sha256sum < "$f" | cut -d " " -f 1)"',
    'base64 < "$f"',
  ].join('\n');
  const { jobId } = await jobs.executeScript({
    name: `transfer source ${source.host.ip}:${source.path}`.slice(0, 128), content: script, language: 'bash', hosts: [source.host],
    timeoutSeconds: 60, ...(account ? { runAs: account } : {}),
  }, actor);
  const deadline = Date.now() + SOURCE_WAIT_MS;
  let job = await jobs.get(jobId, actor.projectId);
  while (!job.finished) {
    if (ctx.signal.aborted || Date.now() > deadline) {
      await jobs.terminate(actor.projectId, jobId).catch(() => undefined);
      throw new PluginRuntimeError('SOURCE_READ_FAILED', `agent.transfer: the source host did not hand over ${source.path} in time`);
    }
    await new Promise((r) => setTimeout(r, 100));
    job = await jobs.get(jobId, actor.projectId);
  }
  const [run] = await jobs.hosts(actor.projectId, jobId, { limit: 1, offset: 0 });
  if (!run || run.status !== 'success') {
    const why = run?.failure?.message ?? (run ? `${run.status}, exit code ${run.exitCode ?? 'none'}` : 'no run');
    throw new PluginRuntimeError('SOURCE_READ_FAILED', `agent.transfer: reading ${source.path} on ${source.host.cloudArea}:${source.host.ip} failed (${why}); source job ${jobId}`);
  }
  let text = '';
  let offset = 0;
  for (;;) {
    const page = await jobs.readLog(actor.projectId, jobId, run.runId, { offset, limit: 1024 * 1024, encoding: 'text' });
    text += page.data;
    if (page.nextOffset >= page.storedBytes || page.nextOffset === offset) break;
    offset = page.nextOffset;
  }
  const header = /^opsloom-file (\d+) ([0-9a-f]{64})\n/.exec(text);
  const b64 = text.slice(header?.[0].length ?? 0).replace(/\s+/g, '');
  if (!header || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new PluginRuntimeError('SOURCE_READ_FAILED', `agent.transfer: the source host's output for ${source.path} is not the file's base64`);
  const bytes = Buffer.from(b64, 'base64');
  const size = Number(header[1]);
  const why = bytes.length !== size ? `${bytes.length} of ${size} bytes arrived` : createHash('sha256').update(bytes).digest('hex') !== header[2] ? 'its digest differs' : null;
  if (why) throw new PluginRuntimeError('SOURCE_READ_FAILED', `agent.transfer: ${source.path} on ${source.host.cloudArea}:${source.host.ip} did not arrive whole (${why}); source job ${jobId}`);
  return b64;
}
