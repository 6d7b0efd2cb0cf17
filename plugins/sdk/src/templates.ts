/**
 * Files `opsloom-plugin init` writes: a TypeScript isolate plugin, or an AssemblyScript wasm plugin;
 * a sync greeter, or with mode `poll` a remote-job plugin with `execute`, `poll` and `cancel`.
 */
import { AS_POLL_PLUGIN, ISOLATE_POLL_PLUGIN, POLL_API, pollInputs, pollOutputs, pollTestCases } from './templates-poll.js';

/** Scaffold options. */
export interface ScaffoldOptions {
  name: string;
  wasm: boolean;
  sdkVersion: string;
  /** @default 'sync' */
  mode?: ScaffoldMode;
}

/** The modes `init` scaffolds: a callback plugin starts from the poll one (docs/plugins.md). */
export const SCAFFOLD_MODES = ['sync', 'poll'] as const;
export type ScaffoldMode = (typeof SCAFFOLD_MODES)[number];

const inputs = { type: 'object', properties: { name: { type: 'string', description: 'Who to greet' } }, required: ['name'] };
const outputs = { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] };

/** Path → content of every file of a new plugin package. */
export function scaffoldFiles(o: ScaffoldOptions): Record<string, string> {
  const poll = o.mode === 'poll';
  const pkg = {
    name: o.name,
    version: '0.1.0',
    description: 'An Opsloom plugin',
    type: 'module',
    keywords: ['opsloom-plugin'],
    files: ['dist', 'package.json'],
    scripts: { build: 'opsloom-plugin build', test: 'opsloom-plugin test' },
    devDependencies: { '@opsloom/plugin-sdk': `^${o.sdkVersion}`, ...(o.wasm ? { assemblyscript: '^0.28.20' } : {}) },
    opsloom: {
      plugin: {
        title: poll ? 'Remote job' : 'Greeter',
        category: 'example',
        description: poll ? 'Starts a job on a remote service, waits for it, and stops it if the task gives up' : 'Greets someone and logs it',
        runtime: o.wasm ? 'wasm' : 'isolate',
        entry: o.wasm ? 'dist/plugin.wasm' : 'dist/plugin.js',
        inputs: poll ? pollInputs : inputs,
        outputs: poll ? pollOutputs : outputs,
        mode: poll ? 'poll' : 'sync',
        capabilities: poll ? ['log', `http:${POLL_API}`] : ['log'],
        limits: { memoryMb: o.wasm ? 16 : 32, timeoutMs: 5000 },
      },
    },
  };
  const tests = poll ? { cases: pollTestCases() } : {
    cases: [
      {
        name: 'greets by name',
        inputs: { name: 'Ann' },
        fixtures: {},
        expect: { status: 'done', outputs: { greeting: 'Hello, Ann!' }, logs: ['greeting Ann'] },
      },
      {
        name: 'an empty name fails with its own code',
        inputs: { name: '' },
        fixtures: {},
        expect: { status: 'failed', errorCode: 'NAME_EMPTY' },
      },
    ],
  };
  const files: Record<string, string> = {
    'package.json': JSON.stringify(pkg, null, 2) + '\n',
    'plugin.test.json': JSON.stringify(tests, null, 2) + '\n',
    '.gitignore': 'node_modules/\ndist/\n',
    'README.md': readme(o.name, poll),
  };
  if (!o.wasm) {
    files['tsconfig.json'] = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'] }, include: ['src'] }, null, 2) + '\n';
    files['src/plugin.ts'] = poll ? ISOLATE_POLL_PLUGIN : ISOLATE_PLUGIN;
  } else {
    files['assembly/opsloom.ts'] = AS_HELPERS;
    files['assembly/index.ts'] = poll ? AS_POLL_PLUGIN : AS_PLUGIN;
  }
  return files;
}

/** The README the marketplace shows for the plugin: what it does, its inputs and outputs, and, for a poll plugin, what cancel stops. */
function readme(name: string, poll: boolean): string {
  const lines = poll
    ? [`# ${name}`, '', 'Starts a job on a remote service, polls it until it ends, and stops it when the task gives up on the node.', '',
      '- **Inputs:** `name`, the job to run.', '- **Outputs:** `jobId`.',
      '- **Mode:** poll. `execute` starts the job, `poll` checks it every 2 s.',
      '- **Cancel:** when the task is revoked, the node is forced to fail or its attempt times out while it waits between polls,',
      '  `cancel` stops the job (once, best effort; the node\'s log says how that ended).',
      '- **Capabilities:** `log`, `http:' + POLL_API + '` (start, status and cancel of the job).', '',
      '| Error code | Meaning |', '|---|---|', '| `NAME_EMPTY` | The name input is empty. |',
      '| `JOB_NOT_STARTED` | The service refused to start the job. |', '| `JOB_FAILED` | The job ended other than succeeded. |',
      '| `JOB_NOT_CANCELLED` | (cancel) The service refused to stop the job; only the node\'s log shows it. |']
    : [`# ${name}`, '', 'Greets someone and logs it.', '', '- **Inputs:** `name`, who to greet.', '- **Outputs:** `greeting`.',
      '- **Mode:** sync.', '- **Capabilities:** `log`.', '', '| Error code | Meaning |', '|---|---|', '| `NAME_EMPTY` | The name input is empty. |'];
  return lines.join('\n') + '\n\nBuild and test with `npm test` (`opsloom-plugin test`); see the Opsloom plugin guide to publish.\n';
}

const ISOLATE_PLUGIN = `import { definePlugin, PluginFailure, type SchemaType } from '@opsloom/plugin-sdk';

const inputs = ${JSON.stringify(inputs)} as const;
type Inputs = SchemaType<typeof inputs>;

export default definePlugin<Inputs, { greeting: string }>({
  async execute({ name }, ctx) {
    if (!name) throw new PluginFailure('NAME_EMPTY', 'set the name input to whom to greet');
    ctx.log('greeting', name);
    return { greeting: \`Hello, \${name}!\` };
  },
});
`;

const AS_PLUGIN = `import { readInput, writeOutput, fail, log, jsonString, jsonField } from './opsloom';

/** Input: {"inputs": {...}, "state": ..., "data": ..., "context": {...}} as JSON text. */
export function execute(): i32 {
  const input = readInput();
  const name = jsonField(input, 'name');
  if (name.length == 0) return fail('NAME_EMPTY', 'set the name input to whom to greet');
  log('greeting ' + name);
  writeOutput('{"status":"done","outputs":{"greeting":' + jsonString('Hello, ' + name + '!') + '}}');
  return 0;
}
`;

// String.raw: the AssemblyScript below has backslash escapes of its own.
const AS_JSON_HTTP_HELPERS = String.raw`
/** The first string value of "key" in a JSON text, unescaped (enough for flat JSON; bring a JSON library for more). */
export function jsonField(json: string, key: string): string {
  const at = json.indexOf('"' + key + '":"');
  if (at < 0) return '';
  let out = '';
  for (let i = at + key.length + 4; i < json.length; i++) {
    const c = json.charAt(i);
    if (c == '"') return out;
    if (c != '\\') { out += c; continue; }
    const e = json.charAt(++i);
    out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'u' ? String.fromCharCode(<i32>parseInt(json.substr((i += 4) - 3, 4), 16)) : e;
  }
  return '';
}

/** The first integer value of "key" in a JSON text, or -1. */
export function jsonInt(json: string, key: string): i32 {
  const at = json.indexOf('"' + key + '":');
  if (at < 0) return -1;
  let n = 0;
  let i = at + key.length + 3;
  if (i >= json.length || json.charCodeAt(i) < 48 || json.charCodeAt(i) > 57) return -1;
  for (; i < json.length && json.charCodeAt(i) >= 48 && json.charCodeAt(i) <= 57; i++) n = n * 10 + json.charCodeAt(i) - 48;
  return n;
}

/** An HTTP answer: status 0 when the host refused the call (body is then its error message). */
export class HttpResponse {
  constructor(public status: i32, public body: string) {}
  ok(): bool { return this.status >= 200 && this.status <= 299; }
}

/** Fetches a URL of an origin the manifest declares as http:<origin>; body '' sends none. */
export function httpFetch(method: string, url: string, body: string): HttpResponse {
  const args = '{"url":' + jsonString(url) + ',"method":' + jsonString(method) + (body.length > 0 ? ',"body":' + jsonString(body) : '') + '}';
  const answer = hostCall('{"op":"http.fetch","args":' + args + '}');
  if (answer.indexOf('{"ok":true') != 0) return new HttpResponse(0, jsonField(answer, 'message'));
  return new HttpResponse(jsonInt(answer, 'status'), jsonField(answer, 'body'));
}
`;

const AS_HELPERS = `// Opsloom guest helpers for AssemblyScript: Extism input/output and the one host function.
@external("extism:host/env", "input_length") declare function input_length(): i64;
@external("extism:host/env", "input_load_u8") declare function input_load_u8(offs: i64): u8;
@external("extism:host/env", "alloc") declare function alloc(n: i64): i64;
@external("extism:host/env", "length") declare function length(offs: i64): i64;
@external("extism:host/env", "load_u8") declare function load_u8(offs: i64): u8;
@external("extism:host/env", "store_u8") declare function store_u8(offs: i64, v: u8): void;
@external("extism:host/env", "output_set") declare function output_set(offs: i64, n: i64): void;
@external("extism:host/user", "opsloom_host") declare function opsloom_host(offs: i64): i64;

function toBlock(s: string): i64 {
  const bytes = Uint8Array.wrap(String.UTF8.encode(s));
  const addr = alloc(bytes.length);
  for (let i = 0; i < bytes.length; i++) store_u8(addr + i, bytes[i]);
  return addr;
}

function fromBlock(addr: i64): string {
  const n = <i32>length(addr);
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = load_u8(addr + i);
  return String.UTF8.decode(bytes.buffer);
}

/** The call's input JSON. */
export function readInput(): string {
  const n = <i32>input_length();
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = input_load_u8(i);
  return String.UTF8.decode(bytes.buffer);
}

/** Sets the result JSON: {"status":"done","outputs":{...}}, a poll / wait-callback envelope, or a failure. */
export function writeOutput(json: string): void {
  const addr = toBlock(json);
  output_set(addr, length(addr));
}

/** Fails the node with a stable code (A-Z, 0-9, _) and a message saying what to do; return its value from the export. */
export function fail(code: string, message: string): i32 {
  writeOutput('{"status":"failed","error":{"code":' + jsonString(code) + ',"message":' + jsonString(message) + '}}');
  return 0;
}

/** Calls the host: {"op":"cmdb.read","args":...} in, {"ok":true,"value":...} or {"ok":false,"error":...} out. */
export function hostCall(json: string): string {
  return fromBlock(opsloom_host(toBlock(json)));
}

/** Logs a line (needs the log capability). */
export function log(message: string): void {
  hostCall('{"op":"log","level":"info","message":' + jsonString(message) + '}');
}

/** A JSON string literal. */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34) out += '\\\\"';
    else if (c == 92) out += '\\\\\\\\';
    else if (c < 32) out += ' ';
    else out += String.fromCharCode(c);
  }
  return out + '"';
}
` + AS_JSON_HTTP_HELPERS;

