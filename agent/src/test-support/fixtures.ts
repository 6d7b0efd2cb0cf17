import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent.js';
import type { AgentOptions } from '../agent-options.js';
import type { TestGateway } from './test-gateway.js';

/** A fresh directory under the OS temp dir (0711, so run-as users can reach the work dir inside). */
export function tempDir(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `opsloom-agent-${prefix}-`));
  chmodSync(path, 0o711);
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Starts an agent against a test gateway with fast reconnects and waits until it is online. */
export async function startOnlineAgent(gw: TestGateway, stateDir: string, options: Partial<AgentOptions> = {}): Promise<{ agent: Agent; agentId: string }> {
  const agent = await Agent.start({ server: gw.url, stateDir, enrolToken: 'test-token', reconnect: { baseMs: 50, maxMs: 200 }, drainMs: 200, killGraceMs: 500, ...options });
  const agentId = await new Promise<string>((resolve) => agent.once('online', resolve));
  await gw.waitForOnline(agentId);
  return { agent, agentId };
}

/** Polls `check` until it returns true; fails with `what` after `timeoutMs`. */
export async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** True once the process is gone (or only a zombie waiting for a reaper). */
export function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}
