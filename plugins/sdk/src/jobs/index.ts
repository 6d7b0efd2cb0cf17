/**
 * `@opsloom/plugin-sdk/jobs`: guest helpers for plugins that run jobs through `host.agent`:
 * target parsing, reading the job service's status answer, outputs and the failure verdict.
 * Dependency-free, bundled into the plugin like the rest of the guest API.
 */
export * from './targets.js';
export * from './job-status.js';
