// Runs one Opsloom core for the agent benchmarks, in its own process so its memory can be measured.
// Usage: node --no-node-snapshot core-server.mjs <dataDir> <port>
// Prints one JSON line {"url", "pid"} once listening; SIGTERM closes it cleanly.
import { loadConfig } from '../../core/dist/config/config.js';
import { startOpsloom } from '../../core/dist/server.js';

const [dataDir, port = '0'] = process.argv.slice(2);
const config = loadConfig({
  OPSLOOM_DATA_DIR: dataDir, OPSLOOM_PORT: port, OPSLOOM_ADMIN_PASSWORD: 'bench-password-1', OPSLOOM_LOG_LEVEL: 'error',
  OPSLOOM_REGISTRY: 'off', OPSLOOM_LOCAL_AGENT: 'false',
  ...(process.env.OPSLOOM_DB ? { OPSLOOM_DB: process.env.OPSLOOM_DB } : {}),
  ...(process.env.OPSLOOM_REDIS ? { OPSLOOM_REDIS: process.env.OPSLOOM_REDIS } : {}),
});
const ops = await startOpsloom(config);
process.stdout.write(JSON.stringify({ url: ops.url, pid: process.pid }) + '\n');
const stop = async () => {
  await ops.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
