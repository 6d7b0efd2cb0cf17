export { startOpsloom, type Opsloom, type Services } from './server.js';
export { loadConfig, ConfigError, type Config } from './config/config.js';
export * from './errors.js';
