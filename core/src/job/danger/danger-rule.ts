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
 */
export function checkableLines(language: ScriptLanguage, script: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  let inBlock = false;
  script.split(/\r?\n/).forEach((text, i) => {
    const t = text.trim();
    if (language === 'powershell') {
      if (inBlock) {
        if (t.includes('#>')) inBlock = false;
        return;
      }
      if (t.startsWith('<#')) {
        inBlock = !t.includes('#>', 2);
        return;
      }
    }
    if (t === '' || t.startsWith('#')) return;
    out.push({ line: i + 1, text });
  });
  return out;
}
