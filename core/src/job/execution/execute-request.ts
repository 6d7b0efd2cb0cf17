import { z } from 'zod';
import { PROTOCOL_LIMITS, SCRIPT_LANGUAGES } from '@opsloom/agent/protocol';
import { ROLLING_MODES } from './job-model.js';

/** Most hosts one job may target (bk-job's limit for a script step). */
export const MAX_TARGETS = 50_000;

const hostIdentity = z.object({ cloudArea: z.number().int().min(0).max(2_147_483_647), ip: z.string().min(2).max(45) });
// An id no host has still gets a run (not_allowed) that records it: no longer than a run's host id column.
const hostId = z.string().min(1).max(26);

/**
 * A fast-execute-script request (bk-job's `fast_execute_script`), as the API and the plugin host API
 * accept it. The script is `content` + `language`, or a library script by `scriptId` (its online
 * version) or `scriptVersionId` (online or offline); the version wins over the script id.
 */
export const executeScriptRequest = z.object({
  name: z.string().trim().min(1).max(128).optional(),
  hostIds: z.array(hostId).max(MAX_TARGETS).optional(),
  hosts: z.array(hostIdentity).max(MAX_TARGETS).optional(),
  content: z.string().min(1).max(PROTOCOL_LIMITS.scriptChars).optional(),
  language: z.enum(SCRIPT_LANGUAGES).optional(),
  scriptId: z.string().min(1).max(64).optional(),
  scriptVersionId: z.string().min(1).max(64).optional(),
  params: z.string().max(PROTOCOL_LIMITS.paramsChars).optional(),
  /** Store the parameters encrypted and show them as `******` everywhere. */
  paramsSensitive: z.boolean().optional(),
  /** OS account to run as (needs an agent running as root); unset runs as the agent's user. */
  runAs: z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*\$?$/, 'must be a valid user name').max(64).optional(),
  timeoutSeconds: z.number().int().min(1).max(PROTOCOL_LIMITS.timeoutSecondsMax).optional(),
  rolling: z.object({ expression: z.string().trim().min(1).max(128), mode: z.enum(ROLLING_MODES).default('pause-on-failure') }).optional(),
}).refine((r) => (r.hostIds?.length ?? 0) + (r.hosts?.length ?? 0) > 0, { message: 'name at least one target in hostIds or hosts', path: ['hostIds'] })
  // Each list alone is within the bound; together they must be too, or one job could target twice as many.
  .refine((r) => (r.hostIds?.length ?? 0) + (r.hosts?.length ?? 0) <= MAX_TARGETS, { message: `at most ${MAX_TARGETS} targets are allowed in hostIds and hosts together`, path: ['hosts'] })
  .refine((r) => r.content !== undefined || r.scriptId !== undefined || r.scriptVersionId !== undefined, { message: 'give content (with language), scriptId or scriptVersionId', path: ['content'] })
  .refine((r) => r.content === undefined || r.language !== undefined || r.scriptId !== undefined || r.scriptVersionId !== undefined, { message: 'inline content needs a language', path: ['language'] });

export type ExecuteScriptRequest = z.input<typeof executeScriptRequest>;
