import { join } from 'node:path';
import { Agent } from './agent.js';
import { type AgentOptions, compileAgentOptions } from './agent-options.js';
import { AgentError } from './errors.js';
import { ScriptRunner } from './script-runner.js';

/** Options of a {@link Swarm}: one agent's options, shared by `count` emulated agents. */
export interface SwarmOptions extends Omit<AgentOptions, 'ip' | 'hostname' | 'runner' | 'workDir'> {
  /** How many agents to emulate. */
  count: number;
  /** Index of the first agent (to run several swarms side by side without clashing IPs). @default 0 */
  firstIndex?: number;
  /** First connections are spread at random over this window so a big swarm does not arrive at once. @default min(count, 5000) */
  startSpreadMs?: number;
}

/**
 * The fake IP of emulated agent `index`: 10.b.c.d with d in 1..254, so every index up to about
 * 16 million gets a distinct, valid host address.
 * @example swarmIp(0) // '10.0.0.1'; swarmIp(254) // '10.0.1.1'
 */
export function swarmIp(index: number): string {
  const d = (index % 254) + 1;
  const rest = Math.floor(index / 254);
  return `10.${Math.floor(rest / 256) % 256}.${rest % 256}.${d}`;
}

/**
 * Many emulated agents in one process for benchmarks: each has its own connection, identity
 * (`<stateDir>/agents/<index>/identity.json`), host name `swarm-<index>` and fake IP, and really runs
 * the scripts it is given. They share one script runner (helpers, interpreters) so an idle agent costs
 * little more than its WebSocket.
 */
export class Swarm {
  private constructor(readonly agents: Agent[], private readonly runner: ScriptRunner) {}

  static async start(options: SwarmOptions): Promise<Swarm> {
    if (!Number.isInteger(options.count) || options.count < 1 || options.count > 100_000) {
      throw new AgentError('CONFIG_INVALID', `count must be an integer from 1 to 100000, got ${JSON.stringify(options.count)}`);
    }
    const first = options.firstIndex ?? 0;
    const base = compileAgentOptions({ ...options, workDir: join(options.stateDir, 'work') });
    const runner = await ScriptRunner.create({
      workDir: base.workDir, killGraceMs: base.killGraceMs, drainMs: base.drainMs, launcher: base.launcher,
      chunker: { chunkBytes: base.chunkBytes, flushMs: base.flushMs, maxLogBytes: base.maxLogBytes },
    });
    const spread = options.startSpreadMs ?? Math.min(options.count, 5000);
    const { count: _count, firstIndex: _first, startSpreadMs: _spread, logger: _logger, ...agentOptions } = options;
    const agents: Agent[] = [];
    for (let i = first; i < first + options.count; i++) {
      agents.push(await Agent.start({
        ...agentOptions, runner, ip: swarmIp(i), hostname: `swarm-${i}`, stateDir: join(options.stateDir, 'agents', String(i)),
      }, Math.round(Math.random() * spread)));
    }
    return new Swarm(agents, runner);
  }

  /** Agents currently online. */
  onlineCount(): number {
    return this.agents.filter((a) => a.state === 'online').length;
  }

  /** Stops every agent (killing their runs). */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.stop()));
    await this.runner.close();
  }
}
