import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCRIPT_LANGUAGES, scriptTemplate, tokenize } from './script-highlight.js';

const kinds = (src: string, lang: Parameters<typeof tokenize>[1]) => tokenize(src, lang).filter((t) => t.kind !== 'plain').map((t) => `${t.kind}:${t.text}`);

test('tokens always join back to the exact script, in every language', () => {
  const samples = ['echo "a $B" \'c\' # d\nif [ 1 ]; then x; fi', 'def f(x):\n  """doc"""\n  return x # c', 'my $x = "y"; print $x;', 'Write-Host $env:PATH <# c #>', '"unterminated', ''];
  for (const lang of SCRIPT_LANGUAGES) {
    for (const s of [...samples, scriptTemplate(lang)]) assert.equal(tokenize(s, lang).map((t) => t.text).join(''), s, `${lang}: ${s}`);
  }
});

test('bash: keywords, builtins, variables, strings and comments', () => {
  assert.deepEqual(kinds('if [ -n "$X" ]; then echo ${HOME} # done\nfi', 'bash'),
    ['keyword:if', 'string:"$X"', 'keyword:then', 'builtin:echo', 'variable:${HOME}', 'comment:# done', 'keyword:fi']);
  // A # inside a string is not a comment; a keyword glued to a word is not a keyword.
  assert.deepEqual(kinds("echo 'a # b' xif", 'bash'), ['builtin:echo', "string:'a # b'"]);
});

test('python and perl have their own rules', () => {
  assert.deepEqual(kinds('def f():\n    return "x"  # why\n', 'python3'), ['keyword:def', 'keyword:return', 'string:"x"', 'comment:# why']);
  assert.deepEqual(kinds('my @list = (1, 2); print "$x";', 'perl'), ['keyword:my', 'variable:@list', 'number:1', 'number:2', 'builtin:print', 'string:"$x"']);
  assert.deepEqual(kinds('IF ($a) { Write-Host 3 }', 'powershell'), ['keyword:IF', 'variable:$a', 'builtin:Write-Host', 'number:3']);
});
