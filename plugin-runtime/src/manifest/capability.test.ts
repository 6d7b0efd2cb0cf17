import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilityAllows, httpUrlAllowed, parseCapability } from './capability.js';

test('the grammar accepts each capability kind', () => {
  for (const c of ['log', 'agent.execute', 'agent.transfer', 'cmdb.read', 'notify.send', 'secrets.read:db.pass-1', 'http:http://127.0.0.1:8080']) {
    assert.equal(parseCapability(c).ok, true, c);
  }
  for (const c of ['secrets.read:', 'secrets.read:a b', 'http:', 'http:https://a.example/', 'agent', 'LOG']) {
    assert.equal(parseCapability(c).ok, false, c);
  }
});

test('capabilityAllows matches exactly, http by origin', () => {
  const granted = ['http:https://a.example', 'secrets.read:token', 'log'];
  assert.equal(capabilityAllows(granted, { kind: 'http', origin: 'https://a.example' }), true);
  assert.equal(capabilityAllows(granted, { kind: 'http', origin: 'http://a.example' }), false);
  assert.equal(capabilityAllows(granted, { kind: 'secrets.read', name: 'other' }), false);
  assert.equal(capabilityAllows(granted, 'log'), true);
  assert.equal(capabilityAllows(granted, 'cmdb.read'), false);
});

test('httpUrlAllowed checks the origin of a full URL and refuses other schemes', () => {
  const granted = ['http:https://a.example'];
  assert.equal(httpUrlAllowed(granted, 'https://a.example/x?y=1'), true);
  assert.equal(httpUrlAllowed(granted, 'https://a.example:443/x'), true);
  assert.equal(httpUrlAllowed(granted, 'https://a.example.evil.test/'), false);
  assert.equal(httpUrlAllowed(granted, 'https://evil.test/@a.example'), false);
  assert.equal(httpUrlAllowed(granted, 'file:///etc/passwd'), false);
  assert.equal(httpUrlAllowed(granted, 'not a url'), false);
});
