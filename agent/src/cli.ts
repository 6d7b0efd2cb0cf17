#!/usr/bin/env node
/**
 * `opsloom-agent`: runs one host agent, or a swarm of emulated agents for benchmarks.
 * Stops cleanly on SIGINT/SIGTERM (running scripts are cancelled).
 */
import { Agent } from './agent.js';
import { USAGE, parseCliArgs } from './cli-args.js';
import { AgentError } from './errors.js';
import { jsonLogger } from './logger.js';
import { Swarm } from './swarm.js';
import { AGENT_VERSION } from './version.js';

async function main(): Promise<void> {
  const command = parseCliArgs(process.argv.slice(2));
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (command.kind === 'version') {
    process.stdout.write(`${AGENT_VERSION}\n`);
    return;
  }
  const logger = jsonLogger(command.logLevel, { agentVersion: AGENT_VERSION });
  let stop: () => Promise<void>;
  if (command.kind === 'run') {
    const agent = await Agent.start({ ...command.options, logger });
    stop = () => agent.stop();
  } else {
    const swarm = await Swarm.start(command.options);
    const total = swarm.agents.length;
    logger.info('swarm started', { count: total });
    let last = -1;
    const progress = setInterval(() => {
      const online = swarm.onlineCount();
      if (online !== last) logger.info('swarm online', { online, count: total });
      last = online;
    }, 1000);
    stop = async () => {
      clearInterval(progress);
      await swarm.stop();
    };
  }
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping', { signal });
    stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

main().catch((err: unknown) => {
  if (err instanceof AgentError) process.stderr.write(`opsloom-agent: ${err.code}: ${err.message}\n`);
  else process.stderr.write(`opsloom-agent: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(2);
});
