// Opsloom guest helpers for AssemblyScript: Extism input/output and the one host function.
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

/** Sets the result JSON: {"status":"done","outputs":{...}}, a poll / wait-callback envelope, or {"status":"failed","error":{...}}. */
export function writeOutput(json: string): void {
  const addr = toBlock(json);
  output_set(addr, length(addr));
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
    if (c == 34) out += '\\"';
    else if (c == 92) out += '\\\\';
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
