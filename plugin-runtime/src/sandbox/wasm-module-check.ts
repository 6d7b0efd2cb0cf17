import { ErrorCode, PluginRuntimeError } from '../errors.js';

/** Functions the Extism SDK supplies under `extism:host/env`; a module may import only these. */
export const EXTISM_ENV_IMPORTS = new Set([
  'alloc', 'free', 'length', 'length_unsafe', 'load_u8', 'load_u64', 'store_u8', 'store_u64',
  'input_offset', 'input_length', 'input_load_u8', 'input_load_u64', 'output_set', 'error_set', 'error_get',
  'config_get', 'var_get', 'var_set', 'log_info', 'log_warn', 'log_debug', 'log_error', 'log_trace', 'get_log_level',
]);

/** The one host function Opsloom gives wasm plugins: JSON `{op, args}` in, JSON `{ok, value | error}` out. */
export const WASM_HOST_MODULE = 'extism:host/user';
export const WASM_HOST_FUNCTION = 'opsloom_host';

const PAGE = 64 * 1024;

function refuse(message: string): never {
  throw new PluginRuntimeError(ErrorCode.WasmRefused, message);
}

/**
 * Checks a wasm module before it is instantiated: every memory declares a maximum within
 * `memoryMb` (linear memory is not limited by the SDK, so an unbounded module could grow to 4 GB),
 * no memory is imported, and imports name only functions we provide.
 */
export function checkWasmModule(bytes: Uint8Array, module: WebAssembly.Module, memoryMb: number): void {
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.kind !== 'function') refuse(`the module imports a ${imp.kind} "${imp.module}.${imp.name}"; only host functions may be imported`);
    const ok = (imp.module === 'extism:host/env' && EXTISM_ENV_IMPORTS.has(imp.name))
      || (imp.module === WASM_HOST_MODULE && imp.name === WASM_HOST_FUNCTION);
    if (!ok) refuse(`the module imports "${imp.module}.${imp.name}", which Opsloom does not provide (only extism:host/env and ${WASM_HOST_MODULE}.${WASM_HOST_FUNCTION})`);
  }
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exports.includes('execute')) refuse('the module does not export an "execute" function');
  const limitPages = Math.floor((memoryMb * 1024 * 1024) / PAGE);
  const memories = memoryLimits(bytes);
  for (const [i, m] of memories.entries()) {
    if (m.max === undefined) refuse(`memory ${i} declares no maximum; build with a cap (asc --maximumMemory, or (memory N M) in WAT)`);
    if (m.max > limitPages) refuse(`memory ${i} may grow to ${m.max} pages (${(m.max * PAGE) / 1048576} MB), over the ${memoryMb} MB limit`);
  }
}

/** Reads the memory section (id 5): `{min, max?}` in 64 KiB pages per memory. */
export function memoryLimits(bytes: Uint8Array): { min: number; max?: number }[] {
  let pos = 8;
  const leb = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (pos >= bytes.length) refuse('truncated module');
      const b = bytes[pos++];
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
      if (shift > 63) refuse('malformed LEB128 number');
    }
  };
  if (bytes.length < 8 || bytes[0] !== 0 || bytes[1] !== 0x61 || bytes[2] !== 0x73 || bytes[3] !== 0x6d) refuse('not a wasm module');
  const out: { min: number; max?: number }[] = [];
  while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = leb();
    const end = pos + size;
    if (end > bytes.length) refuse('truncated section');
    if (id === 5) {
      const count = leb();
      for (let i = 0; i < count; i++) {
        const flags = leb();
        if (flags & ~0x01) refuse(`memory ${i} uses unsupported flags 0x${flags.toString(16)} (shared or 64-bit memory)`);
        const min = leb();
        out.push(flags & 1 ? { min, max: leb() } : { min });
      }
    }
    pos = end;
  }
  return out;
}
