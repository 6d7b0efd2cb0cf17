import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, LabelSelectorError, matchesLabels, parseLabelSelector } from './label-selector.js';

test('every operator parses and matches as documented', () => {
  const sel = parseLabelSelector(' env = prod , role in (web, api),tier!=db, zone notin (z9), monitored, !draining');
  assert.equal(formatLabelSelector(sel), 'env=prod,role in (web,api),tier!=db,zone notin (z9),monitored,!draining');
  const base = { env: 'prod', role: 'web', monitored: 'yes' };
  assert.equal(matchesLabels(sel, base), true);
  assert.equal(matchesLabels(sel, { ...base, role: 'db' }), false, 'in');
  assert.equal(matchesLabels(sel, { ...base, tier: 'db' }), false, '!=');
  assert.equal(matchesLabels(sel, { ...base, zone: 'z9' }), false, 'notin');
  assert.equal(matchesLabels(sel, { env: 'prod', role: 'web' }), false, 'exists');
  assert.equal(matchesLabels(sel, { ...base, draining: 'true' }), false, '!exists');
  assert.equal(matchesLabels(parseLabelSelector('env==prod'), { env: 'prod' }), true);
  assert.deepEqual(parseLabelSelector('   '), []);
});

test('malformed selectors are refused with the position of the problem', () => {
  for (const [text, position] of [['env=', 4], ['env=prod,', 9], ['role in (web', 12], ['env prod', 4], ['e$v=1', 1], ['=x', 0]] as const) {
    assert.throws(() => parseLabelSelector(text), (err: unknown) => err instanceof LabelSelectorError && err.position === position, text);
  }
});
