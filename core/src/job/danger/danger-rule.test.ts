import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { checkableLines } from './danger-rule.js';
import { DEFAULT_DANGER_RULES } from './default-rules.js';
import { RegexBudgetExceeded, RegexSandbox } from './regex-sandbox.js';

const sandbox = new RegexSandbox();
after(() => sandbox.close());

test('comment and blank lines are not checked; line numbers are kept', () => {
  const lines = checkableLines('bash', '#!/bin/bash\n\n  # rm -rf /\necho hi # trailing\n');
  assert.deepEqual(lines, [{ line: 4, text: 'echo hi # trailing' }]);
  const ps = checkableLines('powershell', '<#\nFormat-Volume\n#>\nWrite-Host ok');
  assert.deepEqual(ps, [{ line: 4, text: 'Write-Host ok' }]);
});

test('a line the interpreter runs is checked even when it starts like a comment', () => {
  // bash joins `echo a\` and `#;rm -rf /` into `echo a#;rm -rf /`; an escaped backslash does not continue.
  assert.deepEqual(checkableLines('bash', 'echo a\\\n#;rm -rf /\necho b\\\\\n# note'), [
    { line: 1, text: 'echo a\\' }, { line: 2, text: '#;rm -rf /' }, { line: 3, text: 'echo b\\\\' },
  ]);
  // python and powershell end a line at a lone carriage return.
  assert.deepEqual(checkableLines('python3', "# note\rshutil.rmtree('/')"), [{ line: 1, text: "# note\rshutil.rmtree('/')" }]);
  assert.deepEqual(checkableLines('powershell', '<# a #> Format-Volume C\n<#\nx\n#> Format-Volume D\n<# b #>'), [
    { line: 1, text: '<# a #> Format-Volume C' }, { line: 4, text: '#> Format-Volume D' },
  ]);
});

test('the default rules catch the classics and leave ordinary commands alone', async () => {
  const shell = DEFAULT_DANGER_RULES.filter((r) => r.languages.includes('bash'));
  const dangerous = [
    'rm -rf /', 'sudo rm -rf /*', 'rm -rf --no-preserve-root /', 'rm -r -f /etc', 'mkfs.ext4 /dev/sdb1', 'dd if=/dev/zero of=/dev/sda bs=1M',
    ':(){ :|:& };:', 'chmod -R 777 /', 'echo x > /dev/sda', 'chown -R nobody /',
  ];
  const harmless = ['rm -rf /tmp/build', 'rm -rf ./dist', 'dd if=/dev/zero of=/tmp/file bs=1M count=1', 'chmod 755 /opt/app', 'echo mkfs is dangerous'];
  const lines = [...dangerous, ...harmless].map((text, i) => ({ line: i + 1, text }));
  const hits = await sandbox.run(shell.filter((r) => r.action === 'intercept').map((r) => r.expression), lines, 2000);
  const hitLines = new Set(hits.map((h) => h.line));
  dangerous.forEach((text, i) => assert.ok(hitLines.has(i + 1), `not caught: ${text}`));
  // "echo mkfs is dangerous" mentions mkfs: rules match text, as bk-job's do; the others must pass.
  harmless.slice(0, 4).forEach((text, i) => assert.ok(!hitLines.has(dangerous.length + i + 1), `caught wrongly: ${text}`));
});

test('a hanging expression is stopped within its budget and named; the sandbox keeps working', async () => {
  await assert.rejects(sandbox.run(['ok', '^(a+)+$'], [{ line: 1, text: `${'a'.repeat(40)}!` }], 200), (e: unknown) => e instanceof RegexBudgetExceeded && e.ruleIndex === 1);
  assert.deepEqual(await sandbox.run(['b+'], [{ line: 1, text: 'abbbc' }], 1000), [{ rule: 0, line: 1, matched: 'bbb' }]);
});
