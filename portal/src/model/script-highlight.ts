/**
 * A small tokenizer for the script editor's syntax highlighting (bash/sh, python3, perl,
 * powershell). It only colours text: tokens concatenate back to the exact input, so the
 * highlighted layer lines up with the textarea above it. DOM-free, so it is unit-tested.
 */
import type { ScriptLanguage } from '@opsloom/core/job-api';

/** Languages the agent runs (`SCRIPT_LANGUAGES` of the agent protocol), as the job API names them. */
export type { ScriptLanguage };

/** Every language, in the order the picker shows them. */
export const SCRIPT_LANGUAGES: readonly ScriptLanguage[] = ['bash', 'sh', 'python3', 'perl', 'powershell'];

/** What a piece of script is, for colouring. */
export type TokenKind = 'comment' | 'string' | 'keyword' | 'variable' | 'number' | 'builtin' | 'plain';

/** One piece of script text. */
export interface ScriptToken {
  kind: TokenKind;
  text: string;
}

const words = (list: string): ReadonlySet<string> => new Set(list.split(/\s+/).filter(Boolean));

const SHELL_KEYWORDS = words(`if then else elif fi for while until do done case esac in function select return exit break continue
  local export readonly declare set unset shift trap source time`);
const SHELL_BUILTINS = words('echo printf cd test read eval exec job_success job_fail true false');
const PY_KEYWORDS = words(`False None True and as assert async await break class continue def del elif else except finally for from
  global if import in is lambda nonlocal not or pass raise return try while with yield match case`);
const PY_BUILTINS = words('print len range open str int float dict list set tuple isinstance job_success job_fail');
const PERL_KEYWORDS = words('my our local sub if elsif else unless while until for foreach do last next redo return use require package eq ne lt gt le ge and or not');
const PERL_BUILTINS = words('print printf open close die warn chomp split join push pop shift keys values exists defined');
const PS_KEYWORDS = words('if elseif else foreach for while do until switch function param return break continue try catch finally throw begin process end');
const PS_BUILTINS = words('write-host write-output write-error get-item set-item get-childitem');

interface Grammar {
  keywords: ReadonlySet<string>;
  builtins: ReadonlySet<string>;
  /** Ordered rules; the first that matches at the current position wins. */
  rules: [TokenKind, RegExp][];
  caseInsensitive?: boolean;
}

// Every rule is sticky (`y`) so it matches exactly at the scan position.
const NUMBER: [TokenKind, RegExp] = ['number', /\b\d+(?:\.\d+)?\b/y];
const GRAMMARS: Record<ScriptLanguage, Grammar> = {
  bash: {
    keywords: SHELL_KEYWORDS, builtins: SHELL_BUILTINS,
    rules: [
      ['comment', /#[^\n]*/y],
      ['string', /'[^']*'?/y],
      ['string', /"(?:\\[\s\S]|[^"\\])*"?/y],
      ['variable', /\$(?:\{[^}\n]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9@#?*$!-])/y],
      NUMBER,
    ],
  },
  sh: { keywords: SHELL_KEYWORDS, builtins: SHELL_BUILTINS, rules: [] },
  python3: {
    keywords: PY_KEYWORDS, builtins: PY_BUILTINS,
    rules: [
      ['comment', /#[^\n]*/y],
      ['string', /(?:[rbfRBF]{1,2})?(?:'''[\s\S]*?(?:'''|$)|"""[\s\S]*?(?:"""|$))/y],
      ['string', /(?:[rbfRBF]{1,2})?(?:'(?:\\.|[^'\\\n])*'?|"(?:\\.|[^"\\\n])*"?)/y],
      NUMBER,
    ],
  },
  perl: {
    keywords: PERL_KEYWORDS, builtins: PERL_BUILTINS,
    rules: [
      ['comment', /#[^\n]*/y],
      ['string', /'(?:\\.|[^'\\])*'?/y],
      ['string', /"(?:\\[\s\S]|[^"\\])*"?/y],
      ['variable', /[$@%][A-Za-z_][A-Za-z0-9_]*|\$[0-9_]/y],
      NUMBER,
    ],
  },
  powershell: {
    keywords: PS_KEYWORDS, builtins: PS_BUILTINS, caseInsensitive: true,
    rules: [
      ['comment', /<#[\s\S]*?(?:#>|$)/y],
      ['comment', /#[^\n]*/y],
      ['string', /'[^']*'?/y],
      ['string', /"(?:`[\s\S]|[^"`])*"?/y],
      ['variable', /\$[A-Za-z_][A-Za-z0-9_:]*/y],
      NUMBER,
    ],
  },
};
GRAMMARS.sh.rules = GRAMMARS.bash.rules;

const WORD = /[A-Za-z_][A-Za-z0-9_-]*/y;

/**
 * Splits a script into coloured tokens. Joining every token's text gives back `source`.
 *
 * @example
 * tokenize('echo $HOME # where', 'bash')
 * // [{kind:'builtin',text:'echo'},{kind:'plain',text:' '},{kind:'variable',text:'$HOME'},{kind:'plain',text:' '},{kind:'comment',text:'# where'}]
 */
export function tokenize(source: string, language: ScriptLanguage): ScriptToken[] {
  const g = GRAMMARS[language] ?? GRAMMARS.bash;
  const out: ScriptToken[] = [];
  let plain = '';
  const push = (kind: TokenKind, text: string): void => {
    if (kind === 'plain') {
      plain += text;
      return;
    }
    if (plain) out.push({ kind: 'plain', text: plain });
    plain = '';
    out.push({ kind, text });
  };
  let i = 0;
  scan: while (i < source.length) {
    for (const [kind, re] of g.rules) {
      re.lastIndex = i;
      const m = re.exec(source);
      if (m && m[0].length > 0) {
        push(kind, m[0]);
        i += m[0].length;
        continue scan;
      }
    }
    WORD.lastIndex = i;
    const w = WORD.exec(source);
    // A word glued to a preceding word character (e.g. `a1if`) is not a keyword.
    if (w && (i === 0 || !/[A-Za-z0-9_]/.test(source[i - 1]!))) {
      const key = g.caseInsensitive ? w[0].toLowerCase() : w[0];
      push(g.keywords.has(key) ? 'keyword' : g.builtins.has(key) ? 'builtin' : 'plain', w[0]);
      i += w[0].length;
      continue;
    }
    push('plain', source[i]!);
    i += 1;
  }
  if (plain) out.push({ kind: 'plain', text: plain });
  return out;
}

/** A starting script for a language (what the editor shows for a new script). */
export function scriptTemplate(language: ScriptLanguage): string {
  switch (language) {
    case 'python3': return '#!/usr/bin/env python3\n# job_success("message") / job_fail("message") set the result tag\nprint("hello from", __import__("socket").gethostname())\n';
    case 'perl': return '#!/usr/bin/perl\nuse strict;\nmy $host = `hostname`;\nprint "hello from $host";\n';
    case 'powershell': return 'Write-Output "hello from $env:COMPUTERNAME"\n';
    default: return '#!/bin/bash\n# job_success "message" / job_fail "message" set the result tag\necho "hello from $(hostname)"\n';
  }
}
