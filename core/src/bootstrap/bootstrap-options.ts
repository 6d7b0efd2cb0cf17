import { ConfigError } from '../config/config.js';
import { defaultPluginsDir } from './plugin-packages.js';

/** How the first-start bootstrap runs. */
export interface BootstrapOptions {
  /**
   * Whether embedded mode publishes the standard plugins and creates the demo project and the
   * local agent. Off for tests of the registry that need an empty catalog.
   * @default true (`OPSLOOM_BOOTSTRAP=off` turns it off)
   */
  enabled: boolean;
  /** Folder of the standard plugin packages. @default `<repository>/plugins` beside core */
  pluginsDir: string;
}

/**
 * Reads the bootstrap settings from the environment (like the job module's tuning settings, they
 * are not part of the documented configuration).
 * @throws ConfigError for a value of OPSLOOM_BOOTSTRAP other than on/off/true/false.
 */
export function compileBootstrapOptions(env: NodeJS.ProcessEnv = process.env): BootstrapOptions {
  const raw = (env.OPSLOOM_BOOTSTRAP ?? 'on').trim().toLowerCase();
  if (!['on', 'off', 'true', 'false'].includes(raw)) throw new ConfigError('OPSLOOM_BOOTSTRAP', `"${raw}" is not one of on, off`);
  return { enabled: raw === 'on' || raw === 'true', pluginsDir: env.OPSLOOM_PLUGINS_DIR?.trim() || defaultPluginsDir() };
}
