/**
 * The JavaScript that runs once in every fresh expression isolate. It hardens the realm and
 * returns the batch entry point `run(scopeJson, expressionsJson, compileOnly) → outcomesJson`
 * (`compileOnly`: each expression is compiled, never called; `{"u": 1}` when it compiles).
 *
 * Hardening, so that nothing one evaluation does is seen by the next:
 * - non-standard or side-channel globals (`WebAssembly`, `SharedArrayBuffer`, `Atomics`,
 *   `console`, `WeakRef`, `FinalizationRegistry`) and RegExp's legacy statics (`RegExp.input`,
 *   `RegExp.$1`, …: the last match) are deleted;
 * - every object reachable from the global object, and the hidden intrinsics (generator, async,
 *   iterator prototypes), is frozen: prototype pollution fails instead of leaking;
 * - each expression gets its own copy of the scope, parsed from JSON, with a null prototype,
 *   and its body runs in strict mode, so assigning an undeclared name throws.
 * Only strings cross the boundary; the host exposes nothing to the isolate.
 *
 * Outcomes are a JSON array, one entry per expression: `{"v": <json>}` a value, `{"u": 1}`
 * undefined, `{"k": kind, "m": message}` a failure (`syntax`, `reference`, `runtime`, `result`:
 * not data, e.g. a promise, or a function, a symbol, NaN or Infinity anywhere in it). A `syntax`
 * message is V8's for the wrapped text; `IsolateRunner` rewords it as the text was written.
 */
export const ISOLATE_PROGRAM = String.raw`(function () {
  'use strict';
  const parse = JSON.parse;
  const stringify = JSON.stringify;
  const create = Object.create;
  const assign = Object.assign;
  const Fn = Function;
  const CacheMap = Map;
  const RefError = ReferenceError;
  const Err = Error;
  const SyntaxErr = SyntaxError;
  const getProto = Object.getPrototypeOf;
  const ownKeys = Reflect.ownKeys;
  const describeProp = Reflect.getOwnPropertyDescriptor;
  const freeze = Object.freeze;
  const isFiniteNumber = Number.isFinite;

  for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics', 'console', 'WeakRef', 'FinalizationRegistry']) {
    delete globalThis[name];
  }
  // RegExp's legacy static accessors (input, $_, lastMatch, leftContext, $1…$9, …) hold the realm's
  // last match: the string one evaluation matched (a password) would be there for the next to read.
  for (const key of ownKeys(RegExp)) {
    if (key !== Symbol.species && describeProp(RegExp, key).get) delete RegExp[key];
  }
  const roots = [
    globalThis,
    getProto(function* () {}), getProto(async function () {}), getProto(async function* () {}),
    getProto([][Symbol.iterator]()), getProto(new Map().entries()), getProto(new Set().values()),
    getProto(''[Symbol.iterator]()), getProto(/x/[Symbol.matchAll]('')), getProto(Uint8Array),
  ];
  const seen = new Set();
  const stack = roots.slice();
  while (stack.length > 0) {
    const o = stack.pop();
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
    seen.add(o);
    for (const key of ownKeys(o)) {
      const d = describeProp(o, key);
      if (!d) continue;
      if ('value' in d) stack.push(d.value); else stack.push(d.get, d.set);
    }
    stack.push(getProto(o));
  }
  for (const o of seen) freeze(o);

  const MAX_CACHED = 2000;
  const cache = new CacheMap();

  function describe(err) {
    try {
      if (err instanceof Err) return String(err.message).slice(0, 500);
      return ('thrown value: ' + String(err)).slice(0, 500);
    } catch (_) {
      return 'an unprintable value was thrown';
    }
  }

  function compile(src) {
    let entry = cache.get(src);
    if (entry) return entry;
    try {
      // Sloppy outer function for "with" (variables as bare names); the expression itself is strict.
      const fn = new Fn('__scope', 'with (__scope) { return (() => { "use strict"; return (\n' + src + '\n); })(); }');
      // One expression, not a way out of its parentheses: "1) || (2" compiles in the wrapper above,
      // but no text closes both a "(" and a "[" it did not open. Compiled only, never run.
      try {
        new Fn('"use strict"; return [\n' + src + '\n];');
      } catch (_) {
        throw new SyntaxErr('the expression closes a bracket it did not open'); // reworded by the runner as the parser reads the text
      }
      // Cached for every later run of the same text, and reachable as arguments.callee: frozen, it
      // cannot carry one task's data to the next.
      freeze(fn);
      freeze(fn.prototype);
      entry = { fn };
    } catch (err) {
      entry = { error: describe(err) };
    }
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(src, entry);
    return entry;
  }

  function failure(kind, message) {
    return stringify({ k: kind, m: message });
  }

  function evaluateOne(src, scopeJson) {
    const entry = compile(src);
    if (entry.error !== undefined) return failure('syntax', entry.error);
    let value;
    try {
      value = entry.fn.call(undefined, assign(create(null), parse(scopeJson)));
    } catch (err) {
      return failure(err instanceof RefError ? 'reference' : 'runtime', describe(err));
    }
    try {
      if (value === undefined) return '{"u":1}';
      const type = typeof value;
      if (type === 'function' || type === 'symbol' || type === 'bigint') {
        return failure('result', 'the result is a ' + type + '; an expression must produce data (JSON)');
      }
      if (type === 'object' && value !== null && typeof value.then === 'function') {
        return failure('result', 'the result is a promise; expressions are synchronous');
      }
      // JSON would turn NaN and ±Infinity into null, and drop a function or symbol inside the
      // result (or make it null in an array), without a word: a silent wrong value.
      let notJson; // the key and value of the first such value
      const json = stringify(value, (key, v) => {
        const t = typeof v;
        if (notJson === undefined && (t === 'number' ? !isFiniteNumber(v) : t === 'function' || t === 'symbol')) notJson = { key, v };
        return v;
      });
      if (notJson !== undefined) {
        const where = notJson.key === '' ? 'the result is ' : 'the result\'s ' + notJson.key + ' is ';
        return failure('result', typeof notJson.v === 'number'
          ? where + String(notJson.v) + ', which is not a JSON number'
          : where + 'a ' + typeof notJson.v + '; an expression must produce data (JSON)');
      }
      return json === undefined ? '{"u":1}' : '{"v":' + json + '}';
    } catch (err) {
      return failure('result', 'the result cannot be turned into JSON: ' + describe(err));
    }
  }

  // Compile-only: the syntax check of a template; nothing is called.
  function checkOne(src) {
    const entry = compile(src);
    return entry.error !== undefined ? failure('syntax', entry.error) : '{"u":1}';
  }

  return function run(scopeJson, expressionsJson, compileOnly) {
    const sources = parse(expressionsJson);
    const out = [];
    for (let i = 0; i < sources.length; i++) out.push(compileOnly ? checkOne(sources[i]) : evaluateOne(sources[i], scopeJson));
    return '[' + out.join(',') + ']';
  };
})()`;
