/**
 * The script every fresh isolate context runs before plugin code. It takes the two host
 * References off the global object and keeps them in a closure, so plugin code never holds an
 * isolated-vm Reference; it captures the built-ins it relies on before plugin code can patch them;
 * and it defines the guest API: `definePlugin`, `host`, and the `ctx` handed to each call.
 *
 * Contract with plugin bundles: the script leaves its plugin in `globalThis.__opsloomPlugin`
 * (esbuild `--format=iife --global-name=__opsloomPlugin`), either the definition itself or a
 * module namespace whose `default` is the definition.
 *
 * Contract with the host (see guest-call.ts): the script's completion value is the entry function,
 * which the host keeps as a Reference (one value back from the script, so preparing a context
 * needs no further trips to the isolate); it is never on the global, so plugin code never sees it.
 * - `entry('start', which, payloadJson, outputLimit, canLog)` runs the plugin function (`execute`
 *   gets the inputs, `poll` and `cancel` the state, `callback` the state and the data); it returns
 *   the result text at once when the plugin answered without a promise, else ''.
 * - `entry('take')` returns the result text once the plugin's promise settled (the host calls it
 *   right after `start`, past the microtask checkpoint), else '' while the plugin is still waiting.
 * - `entry('wait')` returns a promise of the result text, for plugins still waiting (e.g. on a host
 *   call).
 * The result text is `<log lines sent>;<outcome JSON>`: log lines travel on their own, queued to
 * the host thread, and the count lets the host wait for the last ones before it answers.
 */
export const GUEST_BOOTSTRAP = String.raw`
(() => {
  'use strict';
  const g = globalThis;
  const hostRef = g.__opsloom_host, logRef = g.__opsloom_log;
  delete g.__opsloom_host; delete g.__opsloom_log;
  const R = Reflect.apply, hostApply = hostRef.apply, logApply = logRef.applyIgnored;
  const parse = JSON.parse, stringify = JSON.stringify, freeze = Object.freeze, assign = Object.assign;
  const P = Promise, resolve = P.resolve.bind(P), ErrorCtor = Error, StringCtor = String;
  const isArray = Array.isArray, hasOwn = Object.hasOwn;
  const copyArgs = { arguments: { copy: true }, result: { promise: true, copy: true } };
  const ignoredArgs = { arguments: { copy: true } };
  const marker = Symbol('opsloom.outcome');
  const sliceStr = String.prototype.slice;
  // What crosses to the host is copied into the sandbox process before any limit there applies:
  // bound it here, or one plugin's log or host-call flood takes down every call in the process.
  const MAX_LINES = 1000, MAX_LINE_CHARS = 8192;
  let canLog = false, sent = 0;

  // Host calls: arguments of at most MAX_ARG_CHARS, and at most MAX_WAITING with the host at once;
  // later ones queue here, in the plugin's own memory, which its limit bounds.
  const MAX_ARG_CHARS = 1024 * 1024, MAX_WAITING = 16;
  const then = P.prototype.then, create = Object.create;
  const queue = create(null);
  let waiting = 0, head = 0, tail = 0;

  function coded(code, message) {
    const e = new ErrorCtor(message);
    e.code = code;
    return e;
  }
  function settled() {
    waiting--;
    if (head === tail) return;
    const next = queue[head];
    delete queue[head++];
    next();
  }
  function send(op, json) {
    waiting++;
    const answer = (text) => {
      settled();
      const r = parse(text);
      if (r.ok) return r.value;
      throw coded(r.error.code, r.error.message);
    };
    const failure = (err) => {
      settled();
      throw err;
    };
    return R(then, R(hostApply, hostRef, [undefined, [op, json], copyArgs]), [answer, failure]);
  }
  function call(op, args) {
    const json = args === undefined ? 'null' : stringify(args) ?? 'null';
    if (json.length > MAX_ARG_CHARS) {
      return new P((_, reject) => reject(coded('HOST_CALL_TOO_LARGE', 'host.' + op + ': the arguments are ' + json.length + ' characters of JSON, over the ' + MAX_ARG_CHARS + ' limit')));
    }
    if (waiting < MAX_WAITING) return send(op, json);
    return new P((res) => { queue[tail++] = () => res(send(op, json)); });
  }
  function log(level, parts) {
    if (!canLog || sent >= MAX_LINES) return;
    let message = '';
    for (let i = 0; i < parts.length && message.length < MAX_LINE_CHARS; i++) {
      const p = parts[i];
      message += (i ? ' ' : '') + (typeof p === 'string' ? p : (() => { try { return stringify(p); } catch { return StringCtor(p); } })());
    }
    sent++;
    R(logApply, logRef, [undefined, [level, R(sliceStr, message, [0, MAX_LINE_CHARS])], ignoredArgs]);
  }
  const logFn = (...parts) => log('info', parts);
  for (const level of ['debug', 'info', 'warn', 'error']) logFn[level] = (...parts) => log(level, parts);

  const host = freeze({
    http: freeze({
      fetch: (url, init) => call('http.fetch', assign({}, init || {}, { url: StringCtor(url) })).then((r) => freeze(assign(r, {
        ok: r.status >= 200 && r.status < 300,
        text: () => r.body,
        json: () => parse(r.body),
      }))),
    }),
    agent: freeze({ execute: (args) => call('agent.execute', args), transfer: (args) => call('agent.transfer', args) }),
    cmdb: freeze({ read: (query) => call('cmdb.read', query) }),
    notify: freeze({ send: (message) => call('notify.send', message) }),
    secrets: freeze({ read: (name) => call('secrets.read', StringCtor(name)) }),
    log: freeze(logFn),
  });
  Object.defineProperty(g, 'host', { value: host, enumerable: false });
  Object.defineProperty(g, 'definePlugin', { value: freeze((definition) => definition), enumerable: false });

  function finish(value) {
    if (value !== null && typeof value === 'object' && value[marker]) return value[marker];
    if (value === undefined) return { status: 'done', outputs: {} };
    if (value === null || typeof value !== 'object' || isArray(value)) {
      const e = new ErrorCtor('a plugin must return an outputs object, ctx.poll(...) or ctx.waitCallback(...)');
      e.code = 'OUTPUT_INVALID';
      throw e;
    }
    return { status: 'done', outputs: value };
  }

  function encode(outcome) {
    const json = stringify(outcome);
    if (json.length > outputLimit) {
      return sent + ';' + stringify({ status: 'failed', error: { code: 'OUTPUT_TOO_LARGE', message: 'the result is ' + json.length + ' characters, over the ' + outputLimit + '-byte limit' } });
    }
    return sent + ';' + json;
  }
  function fail(err) {
    const code = err && typeof err.code === 'string' && hasOwn(err, 'code') ? err.code : 'PLUGIN_ERROR';
    const message = err && typeof err.message === 'string' ? err.message : StringCtor(err);
    return sent + ';' + stringify({ status: 'failed', error: { code, message: message.slice(0, 2000) } });
  }
  function settle(value) {
    try {
      return encode(finish(value));
    } catch (err) {
      return fail(err);
    }
  }

  let outputLimit = 0, result = '', pending;
  const isThenable = (v) => v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function';
  const poll = (state, delayMs) => freeze({ [marker]: { status: 'poll', state: state === undefined ? null : state, delayMs: typeof delayMs === 'number' ? delayMs : 1000 } });
  const waitCallback = (state, options) => freeze({ [marker]: { status: 'wait-callback', state: state === undefined ? null : state, multiple: !!(options && options.multiple) } });
  const makeCtx = (payload) => assign({}, payload.context, { log: logFn, poll, waitCallback });
  const start = (which, payloadJson, limit, logAllowed) => {
    outputLimit = limit;
    canLog = logAllowed === true;
    const payload = parse(payloadJson);
    const exported = g.__opsloomPlugin;
    const plugin = exported && typeof exported === 'object' && exported.default ? exported.default : exported;
    const fn = plugin && typeof plugin === 'object' ? plugin[which] : undefined;
    // A plugin without cancel() started nothing it could stop.
    if (typeof fn !== 'function' && which === 'cancel') return settle(undefined);
    if (typeof fn !== 'function') {
      return sent + ';' + stringify({ status: 'failed', error: { code: 'PLUGIN_INVALID', message: 'plugin does not define ' + which + '(): use export default definePlugin({ execute, poll?, callback?, cancel? })' } });
    }
    const ctx = makeCtx(payload);
    let value;
    try {
      value = which === 'execute' ? R(fn, plugin, [payload.inputs, ctx])
        : which === 'callback' ? R(fn, plugin, [payload.state, payload.data, ctx])
        : R(fn, plugin, [payload.state, ctx]);
    } catch (err) {
      return fail(err);
    }
    // What cancel() returns is ignored: only whether it threw counts.
    const answer = which === 'cancel' ? () => settle(undefined) : settle;
    // A plain value answers now; a promise settles in the microtask checkpoint or later.
    if (!isThenable(value)) return answer(value);
    pending = resolve(value).then(answer, fail);
    pending.then((text) => { result = text; });
    return '';
  };
  return (step, which, payloadJson, limit, logAllowed) => step === 'start' ? start(which, payloadJson, limit, logAllowed) : step === 'take' ? result : pending;
})();
`;
