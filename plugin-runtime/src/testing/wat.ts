/**
 * Builds small Extism-compatible wasm plugins from WAT text in tests (wabt), so no binary is
 * committed. `emit`/`block` turn constant strings into code that writes them out.
 */
import wabt from 'wabt';

const IMPORTS = `
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func $load_u8 (param i64) (result i32)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "opsloom_host" (func $host (param i64) (result i64)))`;

const HELPERS = `
  (global $out (mut i64) (i64.const 0))
  (global $pos (mut i64) (i64.const 0))
  (func $begin (param $len i64) (global.set $out (call $alloc (local.get $len))) (global.set $pos (i64.const 0)))
  (func $put (param $b i32) (call $store_u8 (i64.add (global.get $out) (global.get $pos)) (local.get $b)) (global.set $pos (i64.add (global.get $pos) (i64.const 1))))
  (func $put_mem (param $ptr i32) (param $len i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
      (call $put (i32.load8_u (i32.add (local.get $ptr) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $next))))
  (func $put_block (param $blk i64) (local $i i64) (local $n i64) (local.set $n (call $length (local.get $blk)))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $put (call $load_u8 (i64.add (local.get $blk) (local.get $i))))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $next))))
  (func $put_input (local $i i64) (local $n i64) (local.set $n (call $input_length))
    (block $done (loop $next
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (call $put (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1))) (br $next))))
  (func $mem_block (param $ptr i32) (param $len i32) (result i64)
    (call $begin (i64.extend_i32_u (local.get $len))) (call $put_mem (local.get $ptr) (local.get $len)) (global.get $out))
  (func $finish (call $output_set (global.get $out) (global.get $pos)))`;

/** Source of a test plugin: constant strings, a memory declaration and exported function bodies. */
export interface WatPlugin {
  strings?: Record<string, string>;
  /** @default '(memory (export "memory") 1 4)' */
  memory?: string;
  extraImports?: string;
  /** Export name → body using `{{emit:NAME}}`, `{{len:NAME}}` and `{{block:NAME}}` placeholders. */
  exports: Record<string, string>;
}

/** Compiles a {@link WatPlugin} to wasm bytes. */
export async function buildWatPlugin(p: WatPlugin): Promise<Uint8Array> {
  const enc = new TextEncoder();
  const layout = new Map<string, { off: number; len: number }>();
  let data = '';
  let off = 0;
  for (const [name, text] of Object.entries(p.strings ?? {})) {
    const bytes = enc.encode(text);
    layout.set(name, { off, len: bytes.length });
    data += `  (data (i32.const ${off}) "${[...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")\n`;
    off += bytes.length;
  }
  const fill = (body: string): string =>
    body.replace(/\{\{(emit|len|block):(\w+)\}\}/g, (_, kind: string, name: string) => {
      const s = layout.get(name);
      if (!s) throw new Error(`unknown string ${name}`);
      if (kind === 'emit') return `(call $put_mem (i32.const ${s.off}) (i32.const ${s.len}))`;
      if (kind === 'len') return `(i64.const ${s.len})`;
      return `(call $mem_block (i32.const ${s.off}) (i32.const ${s.len}))`;
    });
  const funcs = Object.entries(p.exports)
    .map(([name, body]) => `  (func (export "${name}") (result i32) ${fill(body)} (i32.const 0))`)
    .join('\n');
  const src = `(module${IMPORTS}\n${p.extraImports ?? ''}\n  ${p.memory ?? '(memory (export "memory") 1 4)'}\n${HELPERS}\n${data}${funcs})`;
  const w = await wabt();
  const mod = w.parseWat('plugin.wat', src);
  try {
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}

/** A plugin whose `execute` writes one constant JSON result. */
export function constantPlugin(json: string, memory?: string): WatPlugin {
  return { strings: { out: json }, memory, exports: { execute: `(call $begin {{len:out}}) {{emit:out}} (call $finish)` } };
}
