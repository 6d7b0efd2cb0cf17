// json-transform: reshapes JSON by a mapping spec {"out.key": "$.in.path"}, with defaults.
// Input: {"inputs": {"data", "mapping", "defaults"?, "strict"?}, ...}; output: the Opsloom result envelope.
import { readInput, writeOutput, log } from './opsloom';
import { JsonParser, JsonValue, KIND_BOOL, KIND_OBJECT, KIND_STRING, quote } from './json';
import { lookup, parsePath } from './path';

/** Fails the call with a stable code the operator can search for, through the failed result envelope. */
function fail(code: string, message: string): i32 {
  writeOutput('{"status":"failed","error":{"code":' + quote(code) + ',"message":' + quote(message) + '}}');
  return 0;
}

/**
 * Puts `value` at a dotted output key ("a.b.c"), creating objects on the way.
 * Returns an error message, or '' when done.
 */
function place(root: JsonValue, key: string, value: JsonValue): string {
  const parts = key.split('.');
  let cur = root;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part.length == 0) return 'output key "' + key + '" has an empty segment';
    if (i == parts.length - 1) {
      const existing = cur.get(part);
      if (existing != null && existing.kind == KIND_OBJECT && value.kind != KIND_OBJECT) {
        return 'output key "' + key + '" would replace the object built by other keys';
      }
      cur.set(part, value);
      return '';
    }
    let next = cur.get(part);
    if (next == null) {
      next = JsonValue.obj();
      cur.set(part, next);
    } else if (next.kind != KIND_OBJECT) {
      return 'output key "' + key + '" goes through "' + part + '", which another key set to a non-object';
    }
    cur = next;
  }
  return '';
}

export function execute(): i32 {
  const parser = new JsonParser(readInput());
  const call = parser.parse();
  if (call == null) return fail('INPUT_INVALID', 'the call input is not JSON');
  const inputs = call.get('inputs');
  if (inputs == null || inputs.kind != KIND_OBJECT) return fail('INPUT_INVALID', 'inputs must be an object');
  let data = inputs.get('data');
  if (data == null) data = JsonValue.nul();
  const mapping = inputs.get('mapping');
  if (mapping == null || mapping.kind != KIND_OBJECT) return fail('INPUT_INVALID', 'mapping must be an object of "output.key": "$.json.path"');
  let defaults = inputs.get('defaults');
  if (defaults == null) defaults = JsonValue.obj();
  const strictValue = inputs.get('strict');
  const strict = strictValue != null && strictValue.kind == KIND_BOOL && strictValue.flag;

  // Check every path first: a bad spec fails before anything is produced.
  for (let i = 0; i < mapping.keys.length; i++) {
    const path = mapping.items[i];
    if (path.kind != KIND_STRING) return fail('JSON_PATH_INVALID', 'mapping["' + mapping.keys[i] + '"] must be a JSON path string like "$.a.b[0]"');
    const parsed = parsePath(path.text);
    if (parsed.error.length > 0) return fail('JSON_PATH_INVALID', 'JSON path "' + path.text + '" ' + parsed.error + '; write it like $.data.items[0].id');
  }

  const result = JsonValue.obj();
  const missing = new Array<string>();
  for (let i = 0; i < mapping.keys.length; i++) {
    const key = mapping.keys[i];
    const path = mapping.items[i].text;
    let value = lookup(data, parsePath(path).steps);
    if (value == null) value = defaults.get(key);
    if (value == null) {
      if (strict) return fail('MAPPING_PATH_NOT_FOUND', 'nothing at ' + path + ' for "' + key + '" and no default: add defaults["' + key + '"] or turn strict off');
      missing.push(quote(key));
      continue;
    }
    const problem = place(result, key, value);
    if (problem.length > 0) return fail('MAPPING_CONFLICT', problem);
  }
  const mapped = mapping.keys.length - missing.length;
  if (missing.length > 0) log('json-transform: ' + missing.length.toString() + ' of ' + mapping.keys.length.toString() + ' keys found nothing: ' + missing.join(', '));
  writeOutput('{"status":"done","outputs":{"result":' + result.toJson() + ',"missing":[' + missing.join(',') + '],"mapped":' + mapped.toString() + '}}');
  return 0;
}
