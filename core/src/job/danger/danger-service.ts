import type { ScriptLanguage } from '@opsloom/agent/protocol';
import { NotFoundError, ValidationError } from '../../errors.js';
import { newId } from '../../store/ids.js';
import { DangerCheckFailedError, DangerousScriptError, InvalidRuleError } from '../job-errors.js';
import type { DangerAction, RunOrigin } from '../api-types.js';
import { checkableLines, RULE_EXPRESSION_MAX, type DangerMatch, type DangerRule } from './danger-rule.js';
import type { DangerHitRecord, DangerHitSummary, DangerStore } from './danger-store.js';
import { RegexBudgetExceeded, type RegexSandbox } from './regex-sandbox.js';

/** Fields of a rule an administrator sets. */
export interface DangerRuleInput {
  expression: string;
  languages: ScriptLanguage[];
  description: string;
  action: DangerAction;
  enabled?: boolean;
}

/** Who runs a script, from where: recorded with every hit. */
export interface ScreenRequest {
  projectId: string;
  userId: string | null;
  username: string | null;
  origin: RunOrigin;
  language: ScriptLanguage;
  script: string;
  jobId: string | null;
}

/** Time budgets of the checks. */
export interface DangerServiceOptions {
  /** Budget for checking one script against every rule. @default 2000 */
  checkBudgetMs?: number;
  /** Budget for the backtracking probes run on a rule when it is saved. @default 500 */
  probeBudgetMs?: number;
}

const PROBE_CHARS = ['a', 'Z', '1', ' ', '\t', '-', '_', '.', '/', ':', '=', '"', "'", '\\', '$'];
const PROBE_LENGTH = 1500;

/**
 * Pumping strings that make backtracking patterns blow up: long runs of one character, alone and after
 * each literal run of the pattern (so anchored prefixes like `rm\s+` are reached), ending in a byte
 * that nothing matches.
 */
function probes(expression: string): { line: number; text: string }[] {
  const literals = [...new Set(expression.replace(/\\[a-zA-Z]/g, ' ').match(/[A-Za-z0-9_=:/.-]{1,24}/g) ?? [])].slice(0, 12);
  const out: { line: number; text: string }[] = [];
  for (const c of PROBE_CHARS) {
    const run = c.repeat(PROBE_LENGTH) + '\u0001';
    out.push({ line: out.length + 1, text: run });
    for (const lit of literals) {
      out.push({ line: out.length + 1, text: lit + run });
      out.push({ line: out.length + 1, text: `${lit} ${c}${run}` });
    }
  }
  return out;
}

/**
 * Hits recorded, and listed in a refusal, per screening: each hit keeps the whole script, and a
 * script may match on every line (a 1 MB one of `rm -rf /` lines: 100,000 hits, 100 GB).
 */
const RECORDED_HITS = 100;

/**
 * High-risk command rules (bk-job's dangerous rules): administrators keep an ordered list of regular
 * expressions per language; every run's final script text is screened before dispatch. Rules run in a
 * {@link RegexSandbox} with a time budget: a rule that hangs refuses the run (fail closed) and names
 * itself, instead of freezing core or silently letting every script through.
 */
export class DangerService {
  readonly #checkBudgetMs: number;
  readonly #probeBudgetMs: number;

  constructor(private readonly store: DangerStore, private readonly sandbox: RegexSandbox, options: DangerServiceOptions = {}) {
    this.#checkBudgetMs = options.checkBudgetMs ?? 2000;
    this.#probeBudgetMs = options.probeBudgetMs ?? 500;
  }

  list(): Promise<DangerRule[]> {
    return this.store.list();
  }

  async get(id: string): Promise<DangerRule> {
    const rule = await this.store.get(id);
    if (!rule) throw new NotFoundError('danger rule', id);
    return rule;
  }

  /**
   * Adds a rule at the end of the list.
   * @throws InvalidRuleError when the expression does not compile or backtracks catastrophically.
   */
  async create(input: DangerRuleInput): Promise<DangerRule> {
    await this.#validate(input.expression, input.languages);
    const now = Date.now();
    const rule: DangerRule = {
      id: newId(), expression: input.expression, languages: input.languages, description: input.description, action: input.action,
      enabled: input.enabled ?? true, position: await this.store.nextPosition(), createdAt: now, updatedAt: now,
    };
    await this.store.insert(rule);
    return rule;
  }

  /** Changes a rule (expression, languages, description, action, enabled). */
  async update(id: string, patch: Partial<DangerRuleInput>): Promise<DangerRule> {
    const rule = await this.get(id);
    const next: DangerRule = { ...rule, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)), updatedAt: Date.now() };
    if (patch.expression !== undefined || patch.languages !== undefined) await this.#validate(next.expression, next.languages);
    await this.store.update(next);
    return next;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.delete(id))) throw new NotFoundError('danger rule', id);
  }

  /** Puts the rules in the order of `ids`, which must name every rule once. */
  async reorder(ids: string[]): Promise<DangerRule[]> {
    const rules = await this.store.list();
    const known = new Set(rules.map((r) => r.id));
    if (ids.length !== rules.length || new Set(ids).size !== ids.length || !ids.every((id) => known.has(id))) {
      throw new ValidationError('body.ids must list every rule id exactly once', [{ path: 'body.ids', message: 'must list every rule id once' }]);
    }
    await this.store.reorder(ids);
    return this.store.list();
  }

  /**
   * The enabled rules' matches in a script, comment and blank lines skipped (the editor's "check").
   * @throws DangerCheckFailedError when a rule cannot be evaluated within the budget.
   */
  async check(language: ScriptLanguage, script: string): Promise<DangerMatch[]> {
    const rules = (await this.store.list()).filter((r) => r.enabled && r.languages.includes(language));
    const lines = checkableLines(language, script);
    try {
      const hits = await this.sandbox.run(rules.map((r) => r.expression), lines, this.#checkBudgetMs);
      const text = new Map(lines.map((l) => [l.line, l.text]));
      return hits
        .map((h) => ({ rule: rules[h.rule]!, line: h.line, lineContent: text.get(h.line) ?? '', matched: h.matched }))
        .sort((a, b) => a.line - b.line || a.rule.position - b.rule.position);
    } catch (err) {
      if (err instanceof RegexBudgetExceeded) {
        const rule = rules[err.ruleIndex];
        throw new DangerCheckFailedError(
          `high-risk rule ${rule?.id ?? '?'} (${rule?.description ?? 'unknown'}) did not finish within ${err.budgetMs} ms on this script, so the run is refused; an administrator should fix or disable that rule`,
          { ruleId: rule?.id ?? null },
        );
      }
      throw new DangerCheckFailedError(`the high-risk command check failed, so the run is refused: ${(err as Error).message}`);
    }
  }

  /**
   * Screens a run's final script: records its hits (intercepting ones first, at most RECORDED_HITS), and refuses the run when an intercept rule matched.
   * Every run goes through here, whatever its origin.
   * @throws DangerousScriptError on an intercept hit; DangerCheckFailedError when checking failed (fail closed).
   */
  async screen(req: ScreenRequest): Promise<DangerMatch[]> {
    const matches = await this.check(req.language, req.script);
    if (matches.length === 0) return matches;
    const blocked = matches.some((m) => m.rule.action === 'intercept');
    const at = Date.now();
    // Intercepting hits first (the stable sort keeps line order): they say why the run was refused.
    const recorded = [...matches].sort((a, b) => Number(b.rule.action === 'intercept') - Number(a.rule.action === 'intercept')).slice(0, RECORDED_HITS);
    await this.store.recordHits(req.script, recorded.map((m) => ({
      at, ruleId: m.rule.id, expression: m.rule.expression, action: m.rule.action, description: m.rule.description,
      projectId: req.projectId, userId: req.userId, username: req.username, origin: req.origin, language: req.language,
      line: m.line, lineContent: m.lineContent.slice(0, 4096), blocked, jobId: blocked ? null : req.jobId,
    })));
    if (blocked) {
      const intercepts = matches.filter((m) => m.rule.action === 'intercept');
      const summary = intercepts.slice(0, 5).map((m) => `[line ${m.line}] ${m.lineContent.trim().slice(0, 120)} - ${m.rule.description}`).join('; ');
      throw new DangerousScriptError(summary, intercepts.slice(0, RECORDED_HITS).map((m) => ({ ruleId: m.rule.id, line: m.line, lineContent: m.lineContent.slice(0, 4096), description: m.rule.description })));
    }
    return matches;
  }

  hits(query: { projectId?: string; before?: number; limit: number }): Promise<DangerHitSummary[]> {
    return this.store.hits(query);
  }

  /**
   * One hit with the script that was screened; within a project when `projectId` is given.
   * @throws NotFoundError
   */
  async hit(id: number, projectId?: string): Promise<DangerHitRecord> {
    const hit = await this.store.hit(id, projectId);
    if (!hit) throw new NotFoundError('danger hit', String(id));
    return hit;
  }

  async #validate(expression: string, languages: ScriptLanguage[]): Promise<void> {
    if (expression.length === 0 || expression.length > RULE_EXPRESSION_MAX) {
      throw new InvalidRuleError(`the expression must have 1 to ${RULE_EXPRESSION_MAX} characters`);
    }
    if (languages.length === 0) throw new InvalidRuleError('name at least one script language the rule applies to');
    try {
      new RegExp(expression);
    } catch (err) {
      throw new InvalidRuleError(`the expression is not a valid regular expression: ${(err as Error).message}`);
    }
    try {
      await this.sandbox.run([expression], probes(expression), this.#probeBudgetMs);
    } catch (err) {
      if (err instanceof RegexBudgetExceeded) {
        throw new InvalidRuleError(`the expression backtracks catastrophically (it ran over ${err.budgetMs} ms on a test line); avoid nested quantifiers such as (a+)+`);
      }
      throw err;
    }
  }
}
