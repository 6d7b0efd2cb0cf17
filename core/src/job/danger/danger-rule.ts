import { SCRIPT_LANGUAGES, type ScriptLanguage } from '@opsloom/agent/protocol';
import type { DangerAction, DangerRuleView, RunOrigin } from '../api-types.js';

/** Every rule action, for validating requests. */
export const DANGER_ACTIONS: readonly DangerAction[] = ['scan', 'intercept'];

/** Longest rule expression (bk-job's limit). */
export const RULE_EXPRESSION_MAX = 250;

/**
 * A high-risk command rule as stored: a regular expression checked against every non-comment line of
 * a script. The fields are the API's ({@link DangerRuleView}), with times in epoch milliseconds.
 */
export interface DangerRule extends Omit<DangerRuleView, 'createdAt' | 'updatedAt'> {
  createdAt: number;
  updatedAt: number;
}

/** One line of a script that matched a rule. */
export interface DangerMatch {
  rule: DangerRule;
  /** 1-based line number in the script. */
  line: number;
  lineContent: string;
  matched: string;
}

/** Every run origin. */
export const RUN_ORIGINS: readonly RunOrigin[] = ['api', 'flow', 'plan', 'cron'];

/** True when `value` names a script language agents run. */
export function isScriptLanguage(value: unknown): value is ScriptLanguage {
  return typeof value === 'string' && (SCRIPT_LANGUAGES as readonly string[]).includes(value);
}

/**
 * The lines rules are checked against: blank lines and comment lines are skipped (`#` in every
 * supported language, and powershell's `<# … #>` blocks). Line numbers are 1-based.
 *
 * A line is skipped only when the interpreter reads nothing but comment in it too. So these are
 * checked: a line continuing one that ended in a backslash (`echo a\` then `#;rm -rf /` runs `rm`),
 * a comment holding a carriage return, where python and powershell start a new line
 * (`# note<CR>shutil.rmtree('/')`), and code after a powershell block comment (`<# x #> Format-Volume`).
 */
export function checkableLines(language: ScriptLanguage, script: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let inBlock = false;
  let continues = false;
  script.split(/\r?\n/).forEach((text, i) => {
    const continuation = continues;
    continues = endsInLineContinuation(text);
    let rest = text.trim();
    if (language === 'powershell') {
      if (inBlock) {
        const end = rest.indexOf('#>');
        if (end < 0) return;
        inBlock = false;
        rest = rest.slice(end + 2).trim();
      }
      while (rest.startsWith('<#')) {
        const end = rest.indexOf('#>', 2);
        if (end < 0) {
          inBlock = true;
          return;
        }
        rest = rest.slice(end + 2).trim();
      }
    }
    if (!continuation && (rest === '' || (rest.startsWith('#') && !rest.includes('\r')))) return;
    out.push({ line: i + 1, text });
  });
  return out;
}

/** True when `line` ends in an unescaped backslash (an odd run of them): the next line continues it. */
function endsInLineContinuation(line: string): boolean {
  let n = 0;
  for (let k = line.length - 1; k >= 0 && line[k] === '\\'; k--) n++;
  return n % 2 === 1;
}
