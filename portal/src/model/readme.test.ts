import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInline, parseReadme, safeHref } from './readme.js';

test('only http(s) and mailto links survive; others become text', () => {
  assert.equal(safeHref('https://example.com/a?b'), 'https://example.com/a?b');
  assert.equal(safeHref('mailto:ops@example.com'), 'mailto:ops@example.com');
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:x', 'data:text/html,<b>', '#/p/ops/flows', '//evil.example', 'vbscript:x']) {
    assert.equal(safeHref(bad), undefined, bad);
  }
  assert.deepEqual(parseInline('a [x](javascript:alert(1)) b'), [{ kind: 'text', text: 'a x) b' }]);
  const spans = parseInline('see [docs](https://d.example) and `rm -rf` **now**');
  assert.deepEqual(spans.map((s) => s.kind), ['text', 'link', 'text', 'code', 'text', 'strong']);
  assert.ok(parseInline('[x](javascript:alert(1))').every((s) => s.kind !== 'link'));
});

test('raw HTML stays text; blocks are read', () => {
  const md = '# Ping\n\n<img src=x onerror=alert(1)> hello\n\n```bash\necho <b>\n```\n\n- one\n- two\n\n1. first\n\n> note\n\n---';
  const blocks = parseReadme(md);
  assert.deepEqual(blocks.map((b) => b.kind), ['heading', 'paragraph', 'code', 'list', 'list', 'quote', 'rule']);
  const para = blocks[1]!;
  assert.ok(para.kind === 'paragraph' && para.content[0]!.kind === 'text' && para.content[0]!.text.includes('<img src=x onerror=alert(1)>'));
  const code = blocks[2]!;
  assert.ok(code.kind === 'code' && code.language === 'bash' && code.text === 'echo <b>');
  const list = blocks[3]!;
  assert.ok(list.kind === 'list' && !list.ordered && list.items.length === 2);
});
