/** Files `opsloom-plugin init` writes: a TypeScript isolate plugin, or an AssemblyScript wasm plugin. */

/** Scaffold options. */
export interface ScaffoldOptions {
  name: string;
  wasm: boolean;
  sdkVersion: string;
}

const inputs = { type: 'object', properties: { name: { type: 'string', description: 'Who to greet' } }, required: ['name'] };
const outputs = { type: 'object', properties: { greeting: { type: 'string' } }, required: ['greeting'] };

/** Path → content of every file of a new plugin package. */
export function scaffoldFiles(o: ScaffoldOptions): Record<string, string> {
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
        title: 'Greeter',
        category: 'example',
        description: 'Greets someone and logs it',
        runtime: o.wasm ? 'wasm' : 'isolate',
        entry: o.wasm ? 'dist/plugin.wasm' : 'dist/plugin.js',
        inputs,
        outputs,
        mode: 'sync',
        capabilities: ['log'],
        limits: { memoryMb: o.wasm ? 16 : 32, timeoutMs: 5000 },
      },
    },
  };
  const tests = {
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
  };
  if (!o.wasm) {
    files['tsconfig.json'] = JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2022'] }, include: ['src'] }, null, 2) + '\n';
    files['src/plugin.ts'] = ISOLATE_PLUGIN;
  } else {
    files['assembly/opsloom.ts'] = AS_HELPERS;
    files['assembly/index.ts'] = AS_PLUGIN;
  }
  return files;
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

/** The first string value of "key" in a JSON text (enough for flat inputs; bring a JSON library for more). */
export function jsonField(json: string, key: string): string {
  const at = json.indexOf('"' + key + '":"');
  if (at < 0) return '';
  const start = at + key.length + 4;
  const end = json.indexOf('"', start);
  return end < 0 ? '' : json.substring(start, end);
}
`;
