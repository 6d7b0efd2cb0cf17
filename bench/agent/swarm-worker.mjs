// One process of emulated agents for the benchmarks (spawning scripts from a smaller process is
// cheaper, and several processes use both cores).
// Usage: node swarm-worker.mjs <server> <stateDir> <enrolToken> <count> <firstIndex> [spreadMs] [launcher=auto]
// Prints "online <n>" whenever the count of online agents changes; exits on SIGTERM after stopping them.
import { Swarm } from '../../agent/dist/index.js';

const [server, stateDir, enrolToken, count, firstIndex, spread = '2000', launcher = 'auto'] = process.argv.slice(2);
const swarm = await Swarm.start({
  count: Number(count), firstIndex: Number(firstIndex), server, stateDir, enrolToken, startSpreadMs: Number(spread), maxConcurrent: 4, launcher,
});
let last = -1;
const timer = setInterval(() => {
  const n = swarm.onlineCount();
  if (n !== last) process.stdout.write(`online ${n}\n`);
  last = n;
}, 250);
process.on('SIGTERM', async () => {
  clearInterval(timer);
  await swarm.stop();
  process.exit(0);
});
