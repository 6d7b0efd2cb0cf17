import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ScriptLanguage } from './protocol/index.js';

/** The program that runs each language, as looked up on PATH. */
const PROGRAMS: Record<ScriptLanguage, string> = { bash: 'bash', sh: 'sh', python3: 'python3', perl: 'perl', powershell: 'pwsh' };

/** Absolute path of each language's interpreter on this host; missing languages are absent. */
export type Interpreters = Partial<Record<ScriptLanguage, string>>;

/** The program name a language needs (for messages such as "pwsh not installed"). */
export function programFor(language: ScriptLanguage): string {
  return PROGRAMS[language];
}

/** Finds an executable on `PATH`, or null. */
export function findExecutable(name: string, path = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string | null {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Looks up every language's interpreter once, at agent start. */
export function detectInterpreters(path?: string): Interpreters {
  const found: Interpreters = {};
  for (const [language, program] of Object.entries(PROGRAMS) as [ScriptLanguage, string][]) {
    const at = findExecutable(program, path);
    if (at) found[language] = at;
  }
  return found;
}
