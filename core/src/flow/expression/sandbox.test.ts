import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ExpressionError, ExpressionSandbox, SandboxClosedError } from './index.js';

const sandbox = new ExpressionSandbox();
after(() => sandbox.close());

const where = { input: 'cmd' };

function failsWith(reason: string, ...fragments: string[]) {
  return (err: unknown): boolean => {
    assert.ok(err instanceof ExpressionError, `expected ExpressionError, got ${String(err)}`);
    assert.equal(err.code, 'expression_failed');
    assert.equal(err.reason, reason, err.message);
    for (const f of fragments) assert.ok(err.message.includes(f), `"${err.message}" should mention ${f}`);
    return true;
  };
}

test('a string that is exactly ${expr} passes the raw value through', async () => {
  const scope = { servers: [{ ip: '10.0.0.1' }], count: 3, flag: false, nothing: null };
  assert.deepEqual(await sandbox.render('${servers}', scope, where), [{ ip: '10.0.0.1' }]);
  assert.equal(await sandbox.render('${count}', scope, where), 3);
  assert.equal(await sandbox.render('${ flag }', scope, where), false);
  assert.equal(await sandbox.render('${nothing}', scope, where), null);
  assert.equal(await sandbox.render('${servers[5]}', scope, where), undefined);
});

test('expressions inside a larger string are interpolated, objects as JSON', async () => {
  const scope = { user: 'ops', port: 22, opts: { v: true }, list: [1, 2], none: null };
  assert.equal(await sandbox.render('ssh ${user}@host -p ${port + 1}', scope, where), 'ssh ops@host -p 23');
  assert.equal(await sandbox.render('opts=${opts} list=${list} none=[${none}]', scope, where), 'opts={"v":true} list=[1,2] none=[]');
  assert.equal(await sandbox.render('${user}${port}', scope, where), 'ops22');
});

test('nested objects and arrays are walked; keys and non-strings are kept', async () => {
  const value = { 'k${x}': ['${x}', { deep: 'n=${x * 2}', num: 7, yes: true }], plain: 'no expressions' };
  assert.deepEqual(await sandbox.render(value, { x: 4 }, where), {
    'k${x}': [4, { deep: 'n=8', num: 7, yes: true }], plain: 'no expressions',
  });
});

test('a key named __proto__ is kept as an ordinary key, not taken as the prototype', async () => {
  const value = JSON.parse('{"__proto__": {"polluted": "${x}"}, "plain": "${x}"}') as Record<string, unknown>;
  const rendered = await sandbox.render(value, { x: 4 }, where) as Record<string, unknown>;
  assert.deepEqual(Object.keys(rendered), ['__proto__', 'plain']);
  assert.equal(JSON.stringify(rendered), '{"__proto__":{"polluted":4},"plain":4}');
  assert.equal(Object.getPrototypeOf(rendered), Object.prototype);
});

test('member access on system variables and JavaScript in expressions', async () => {
  const scope = { _system: { task_id: 't-42', operator: 'alice' }, hosts: [{ ip: 'a' }, { ip: 'b' }] };
  assert.equal(await sandbox.render('task ${_system.task_id} by ${_system.operator.toUpperCase()}', scope, where), 'task t-42 by ALICE');
  assert.equal(await sandbox.render('${hosts.map(h => `${h.ip}:22`).join(",")}', scope, where), 'a:22,b:22');
  assert.equal(await sandbox.render('${Math.max(...hosts.map((h, i) => i))}', scope, where), 1);
});

test('$${ produces a literal ${', async () => {
  assert.equal(await sandbox.render('echo $${HOME} ${x}', { x: 1 }, where), 'echo ${HOME} 1');
  assert.equal(await sandbox.render('only $${literal}', {}, where), 'only ${literal}');
});

test('a failing expression names the input, its path and the expression', async () => {
  await assert.rejects(sandbox.render({ targets: ['ok', 'x ${a.b.c}'] }, { a: {} }, { input: 'args' }),
    failsWith('runtime', '"args.targets[1]"', '${a.b.c}', 'Cannot read properties of undefined'));
  await assert.rejects(sandbox.render('${1 +}', {}, where), failsWith('syntax', '"cmd"', '${1 +}'));
  await assert.rejects(sandbox.render('echo ${x', {}, where), failsWith('template', 'unterminated'));
});

test('an unknown variable fails, never left as text', async () => {
  await assert.rejects(sandbox.render('deploy ${release}', { other: 1 }, where),
    failsWith('reference', '${release}', 'release is not defined', 'unknown variable'));
});

test('a project constant the project does not have is named as one, with where to set it', async () => {
  await assert.rejects(sandbox.render('psql -h ${_env_DB_HOST}', { _env_REGION: 'eu' }, where),
    failsWith('reference', '${_env_DB_HOST}', '(unknown constant): project constant DB_HOST is not set', "under the project's constants"));
  await assert.rejects(sandbox.evaluateCondition('_env_STAGE == "prod"', {}, { input: 'condition of flow f1' }),
    failsWith('reference', 'project constant STAGE is not set'));
  assert.equal(await sandbox.render('${_env_REGION}', { _env_REGION: 'eu' }, where), 'eu');
  // A name that merely starts like one inside a longer expression is still an unknown variable.
  await assert.rejects(sandbox.render('${x_env_A}', {}, where), failsWith('reference', 'x_env_A is not defined', 'unknown variable'));
});

test('results that are not data fail', async () => {
  await assert.rejects(sandbox.evaluate('() => 1', {}), failsWith('result', 'function'));
  await assert.rejects(sandbox.evaluate('Promise.resolve(1)', {}), failsWith('result', 'promise'));
  await assert.rejects(sandbox.evaluate('10n', {}), failsWith('result', 'bigint'));
  await assert.rejects(sandbox.evaluate('(() => { const a = {}; a.self = a; return a })()', {}), failsWith('result', 'circular'));
});

test('a function or symbol inside a result fails instead of vanishing from it', async () => {
  await assert.rejects(sandbox.evaluate('({ host: "web-1", port: () => 22 })', {}), failsWith('result', "the result's port is a function"));
  await assert.rejects(sandbox.evaluate('[1, Symbol("x")]', {}), failsWith('result', "the result's 1 is a symbol"));
  await assert.rejects(sandbox.render('cmd ${ { run: list.map } }', { list: [] }, where), failsWith('result', 'function', '"cmd"'));
  assert.deepEqual(await sandbox.evaluate('({ at: new Date(0), none: undefined, list: [null] })', {}), { at: '1970-01-01T00:00:00.000Z', list: [null] });
});

test('a large variable an expression does not read stays out of its way', async () => {
  // A parsed output of 400,000 lines: far past the isolate's memory limit once parsed in it.
  const log = Array.from({ length: 400_000 }, (_, i) => ({ line: i, text: `line ${i} of the output` }));
  assert.equal(await sandbox.render('${host}:${port}', { host: 'web-1', port: 22, log }, where), 'web-1:22');
  assert.equal(await sandbox.evaluate('log.length', { log: [1, 2, 3], logs: log }), 3, 'a longer name that starts alike is another variable');
  await assert.rejects(sandbox.evaluate('log.length', { log }), failsWith('memory'), 'reading it is still bounded by the memory limit');
});

test('NaN and Infinity fail instead of turning into null', async () => {
  await assert.rejects(sandbox.evaluate('Number(x)', { x: 'abc' }), failsWith('result', 'the result is NaN'));
  await assert.rejects(sandbox.evaluate('({ ratio: 1 / n })', { n: 0 }), failsWith('result', "the result's ratio is Infinity"));
  await assert.rejects(sandbox.render('cpu ${used / total}%', { used: 1, total: 0 }, where), failsWith('result', 'Infinity', '${used / total}'));
  assert.deepEqual(await sandbox.evaluate('[1.5, -0, 2e3]', {}), [1.5, 0, 2000]);
});

test('an infinite loop times out and the sandbox keeps working', async () => {
  await assert.rejects(sandbox.render('${(() => { for (;;) {} })()}', {}, where), failsWith('timeout', 'cmd', 'within 50 ms'));
  // In a batch, the culprit is named, not its neighbours.
  await assert.rejects(sandbox.render({ a: '${1 + 1}', b: '${(() => { while (true) {} })()}' }, {}, where),
    failsWith('timeout', 'cmd.b', 'while (true)'));
  assert.equal(await sandbox.evaluate('6 * 7', {}), 42);
});

test('a memory bomb is contained and the sandbox keeps working', async () => {
  // One huge allocation makes V8 abort its process: the worker dies, core does not.
  const bomb = '${new Array(1e8).fill(0).length}';
  const exploding = sandbox.render({ ok: '${1}', bad: bomb }, {}, where);
  const innocent = sandbox.render('${"queued " + x}', { x: 'behind the bomb' }, { input: 'other' });
  // Usually V8 runs out of memory first; on a loaded machine the watchdog may stop it first.
  await assert.rejects(exploding, (err: unknown) =>
    err instanceof ExpressionError && ['memory', 'timeout'].includes(err.reason) && err.input === 'cmd.bad');
  assert.equal(await innocent, 'queued behind the bomb');
  assert.deepEqual(await sandbox.render({ ok: '${[x, x]}' }, { x: 'still alive' }, where), { ok: ['still alive', 'still alive'] });
});

test('a growing allocation hits the memory limit, and a fresh isolate takes over', async () => {
  const patient = new ExpressionSandbox({ timeoutMs: 10_000 });
  try {
    const bomb = '(() => { const a = []; for (;;) a.push({ n: a.length, s: "x" + a.length }); })()';
    await assert.rejects(patient.evaluate(bomb, {}, where), failsWith('memory', 'cmd', '16 MiB'));
    assert.equal(await patient.evaluate('[1, 2, 3].length', {}), 3);
  } finally {
    patient.close();
  }
});

test('no host access: no process through constructors, no require, no import', async () => {
  await assert.rejects(sandbox.evaluate("constructor.constructor('return process')()", {}), ExpressionError);
  await assert.rejects(sandbox.evaluate("({}).constructor.constructor('return process')()", {}), failsWith('reference', 'process is not defined'));
  assert.equal(await sandbox.evaluate("typeof Function('return this')().process", {}), 'undefined');
  assert.equal(await sandbox.evaluate('typeof require + typeof process + typeof module + typeof globalThis.Buffer', {}), 'undefinedundefinedundefinedundefined');
  await assert.rejects(sandbox.evaluate('require("fs")', {}), failsWith('reference', 'require is not defined'));
  await assert.rejects(sandbox.evaluate('import("fs")', {}), ExpressionError);
  await assert.rejects(sandbox.evaluate('import.meta', {}), failsWith('syntax'));
});

test('prototype pollution in one evaluation does not leak into the next', async () => {
  await sandbox.evaluate('(() => { try { Object.prototype.polluted = 1 } catch {} try { Array.prototype.map = () => "owned" } catch {} return 1 })()', {});
  await sandbox.evaluate('(() => { try { ({}).__proto__.polluted2 = 1 } catch {} try { globalThis.leak = 1 } catch {} return 1 })()', {});
  await assert.rejects(sandbox.evaluate('leaked = 5', {}), ExpressionError);
  assert.equal(await sandbox.evaluate('({}).polluted === undefined && ({}).polluted2 === undefined', {}), true);
  assert.deepEqual(await sandbox.evaluate('[1, 2].map(x => x * 2)', {}), [2, 4]);
  await assert.rejects(sandbox.evaluate('leak', {}), failsWith('reference'));
  await assert.rejects(sandbox.evaluate('leaked', {}), failsWith('reference'));
});

test('the last match of a regular expression is not left for the next evaluation to read', async () => {
  assert.equal(await sandbox.evaluate('password.replace(/-/g, "")', { password: 's3cr3t-pass' }), 's3cr3tpass');
  const leftovers = await sandbox.evaluate('[RegExp.input, RegExp.lastMatch, RegExp.leftContext, RegExp.$1, RegExp["$_"]]', {});
  assert.ok(!JSON.stringify(leftovers).includes('s3cr3t'), `another task's value leaked: ${JSON.stringify(leftovers)}`);
  assert.deepEqual(await sandbox.evaluate('"a-b".split(/-/).concat("x1".match(/\\d/))', {}), ['a', 'b', '1'], 'regular expressions still work');
});

test('an expression cannot keep data on its compiled function for the next task that runs the same text', async () => {
  // The same text in two tasks (a shared template): it shows what an earlier run left, then leaves its own secret.
  const probe = '(() => { const f = arguments.callee; const before = [f.seen, f.prototype.seen].map((x) => x ?? null);'
    + ' try { f.seen = secret } catch {} try { f.prototype.seen = secret } catch {} return before })()';
  assert.deepEqual(await sandbox.evaluate(probe, { secret: 'A-password' }), [null, null]);
  assert.deepEqual(await sandbox.evaluate(probe, { secret: 'B' }), [null, null]);
});

test('scope is a copy: mutations stay inside one expression', async () => {
  const scope = { list: [3, 1, 2], cfg: { n: 1 } };
  const out = await sandbox.render({ a: '${list.sort()}', b: '${(cfg.n = 9, cfg.n)}', c: '${list[0]}-${cfg.n}' }, scope, where);
  assert.deepEqual(out, { a: [1, 2, 3], b: 9, c: '3-1' });
  assert.deepEqual(scope, { list: [3, 1, 2], cfg: { n: 1 } });
});

test('conditions must be booleans and accept ${x} wrappers', async () => {
  const scope = { count: 5, env: 'prod' };
  assert.equal(await sandbox.evaluateCondition('${count} > 3 && env == "prod"', scope), true);
  assert.equal(await sandbox.evaluateCondition('count > 10', scope), false);
  await assert.rejects(sandbox.evaluateCondition('env', scope, { input: 'condition of flow f3' }),
    failsWith('result', 'condition of flow f3', 'true or false', 'string'));
  await assert.rejects(sandbox.evaluateCondition('null', scope), (err: Error) => err.message.endsWith('a condition must be true or false, got null'));
  await assert.rejects(sandbox.evaluateCondition('count', scope), (err: Error) => err.message.endsWith('a condition must be true or false, got number 5'));
});

test('the sandbox refuses work after close', async () => {
  const own = new ExpressionSandbox({ timeoutMs: 20, memoryMb: 8 });
  assert.equal(await own.evaluate('1 + 1', {}), 2);
  own.close();
  await assert.rejects(own.evaluate('1', {}), SandboxClosedError);
  assert.throws(() => new ExpressionSandbox({ memoryMb: 2 }), RangeError);
});

test('checkSyntax compiles without running and names what is wrong with the text as written', async () => {
  const messages = await sandbox.checkSyntax(['a + 1', '1+', 'n ==', '/^[a-z]+\\d*$/i.test(host)', '`${user}@${host}`', 'a; b', 'while (true) {}', '  ']);
  assert.deepEqual(messages, [undefined, 'Unexpected end of input', 'Unexpected end of input', undefined, undefined, "Unexpected token ';'", "Unexpected token 'while'", 'the expression is empty']);
  assert.deepEqual(await sandbox.checkSyntax([]), []);
});

test('an expression cannot close the parentheses it is wrapped in: refused at save and at run time, never run', async () => {
  const breakouts = ['true) || (false', '1); (2', 'x) }); (() => (1', 'a ] [ b'];
  // Said as the parser reads the text itself: the bracket it did not open.
  assert.deepEqual(await sandbox.checkSyntax(breakouts), ["Unexpected token ')'", "Unexpected token ')'", "Unexpected token ')'", "Unexpected token ']'"]);
  await assert.rejects(sandbox.evaluateCondition('true) || (false', {}), failsWith('syntax', "Unexpected token ')'"));
  await assert.rejects(sandbox.render('${1); (2}', {}, where), failsWith('syntax', "Unexpected token ')'"));
  // Brackets in strings, regular expressions, templates and comments, and balanced ones, are text or code as usual.
  assert.deepEqual(await sandbox.checkSyntax(['")" + "]"', '/[)\\]]/.test(x)', '`)${a[0]}]`', 'f(a)[1] /* ) */', '{ a: [1, (2)] }']), [undefined, undefined, undefined, undefined, undefined]);
});

test('a syntax error at run time does not name the wrapper\'s tokens', async () => {
  await assert.rejects(sandbox.evaluateCondition('n ==', { n: 1 }), failsWith('syntax', 'n ==', 'Unexpected end of input'));
  await assert.rejects(sandbox.render('${f(1}', {}, where), failsWith('syntax', 'missing ) after argument list'));
});
