import type { JobHelperFiles } from './job-helpers.js';
import type { ScriptLanguage } from './protocol/index.js';

/** How to start one script: program, arguments and the extra environment it needs. */
export interface LaunchCommand {
  program: string;
  args: string[];
  env: Record<string, string>;
}

/** File extension of a script file per language (some interpreters care, and it helps people reading `ps`). */
export const SCRIPT_EXTENSIONS: Record<ScriptLanguage, string> = { bash: 'sh', sh: 'sh', python3: 'py', perl: 'pl', powershell: 'ps1' };

/** Builds the command line that runs `scriptFile` with the job helpers loaded and `args` as its parameters. */
export function launchCommand(language: ScriptLanguage, interpreter: string, helpers: JobHelperFiles, scriptFile: string, args: string[]): LaunchCommand {
  switch (language) {
    case 'bash':
      // BASH_ENV is read by a non-interactive bash before the script; the helper unsets it again.
      return { program: interpreter, args: ['--noprofile', '--norc', scriptFile, ...args], env: { BASH_ENV: helpers.shell } };
    case 'sh':
      // POSIX sh has no BASH_ENV: source the helpers, then the script, which keeps "$@" and sees $0 as its path.
      return { program: interpreter, args: ['-c', '. "$OPSLOOM_JOB_HELPERS"; . "$0"', scriptFile, ...args], env: { OPSLOOM_JOB_HELPERS: helpers.shell } };
    case 'python3':
      return { program: interpreter, args: [helpers.python, scriptFile, ...args], env: {} };
    case 'perl':
      return { program: interpreter, args: [`-I${helpers.perlModuleDir}`, '-MOpsloomJob', scriptFile, ...args], env: {} };
    case 'powershell':
      return { program: interpreter, args: ['-NoLogo', '-NoProfile', '-NonInteractive', '-File', helpers.powershell, scriptFile, ...args], env: {} };
  }
}
