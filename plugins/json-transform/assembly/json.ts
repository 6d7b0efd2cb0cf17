// A small JSON value model for AssemblyScript: parse, look up, build, and serialise.
// Numbers keep their source text, so they come out exactly as they went in.

export const KIND_NULL: i32 = 0;
export const KIND_BOOL: i32 = 1;
export const KIND_NUMBER: i32 = 2;
export const KIND_STRING: i32 = 3;
export const KIND_ARRAY: i32 = 4;
export const KIND_OBJECT: i32 = 5;

/** Thrown (as a stored error) while parsing; AssemblyScript has no exceptions. */
export class JsonError {
  constructor(public message: string) {}
}

const NO_ITEMS: JsonValue[] = [];
const NO_KEYS: string[] = [];

export class JsonValue {
  kind: i32 = KIND_NULL;
  flag: bool = false;
  /** The string value, or a number's source text. */
  text: string = '';
  // Scalars share these empty arrays (never pushed to): a large document has many scalars.
  items: JsonValue[] = NO_ITEMS;
  keys: string[] = NO_KEYS;

  static nul(): JsonValue {
    return new JsonValue();
  }

  static str(s: string): JsonValue {
    const v = new JsonValue();
    v.kind = KIND_STRING;
    v.text = s;
    return v;
  }

  static num(raw: string): JsonValue {
    const v = new JsonValue();
    v.kind = KIND_NUMBER;
    v.text = raw;
    return v;
  }

  static bool(b: bool): JsonValue {
    const v = new JsonValue();
    v.kind = KIND_BOOL;
    v.flag = b;
    return v;
  }

  static arr(): JsonValue {
    const v = new JsonValue();
    v.kind = KIND_ARRAY;
    v.items = [];
    return v;
  }

  static obj(): JsonValue {
    const v = new JsonValue();
    v.kind = KIND_OBJECT;
    v.items = [];
    v.keys = [];
    return v;
  }

  /** Own member of an object, or null. */
  get(key: string): JsonValue | null {
    if (this.kind != KIND_OBJECT) return null;
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] == key) return this.items[i];
    return null;
  }

  /** Sets (or replaces) a member of an object. */
  set(key: string, value: JsonValue): void {
    for (let i = 0; i < this.keys.length; i++) {
      if (this.keys[i] == key) {
        this.items[i] = value;
        return;
      }
    }
    this.keys.push(key);
    this.items.push(value);
  }

  push(value: JsonValue): void {
    this.items.push(value);
  }

  toJson(): string {
    if (this.kind == KIND_NULL) return 'null';
    if (this.kind == KIND_BOOL) return this.flag ? 'true' : 'false';
    if (this.kind == KIND_NUMBER) return this.text;
    if (this.kind == KIND_STRING) return quote(this.text);
    const parts = new Array<string>();
    if (this.kind == KIND_ARRAY) {
      for (let i = 0; i < this.items.length; i++) parts.push(this.items[i].toJson());
      return '[' + parts.join(',') + ']';
    }
    for (let i = 0; i < this.keys.length; i++) parts.push(quote(this.keys[i]) + ':' + this.items[i].toJson());
    return '{' + parts.join(',') + '}';
  }
}

const HEX = '0123456789abcdef';

/** A JSON string literal. */
export function quote(s: string): string {
  const parts = new Array<string>();
  parts.push('"');
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc = '';
    if (c == 34) esc = '\\"';
    else if (c == 92) esc = '\\\\';
    else if (c == 10) esc = '\\n';
    else if (c == 13) esc = '\\r';
    else if (c == 9) esc = '\\t';
    else if (c < 32) esc = '\\u00' + HEX.charAt(c >> 4) + HEX.charAt(c & 15);
    if (esc.length > 0) {
      parts.push(s.substring(start, i));
      parts.push(esc);
      start = i + 1;
    }
  }
  parts.push(s.substring(start));
  parts.push('"');
  return parts.join('');
}

/** The value of four hex digits at `at`, or -1. */
function hex4(s: string, at: i32): i32 {
  if (at + 4 > s.length) return -1;
  let n = 0;
  for (let i = at; i < at + 4; i++) {
    const c = s.charCodeAt(i);
    let d = -1;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    if (d < 0) return -1;
    n = (n << 4) | d;
  }
  return n;
}

/** Recursive-descent parser; the first error is kept in `error` and parsing stops. */
export class JsonParser {
  pos: i32 = 0;
  error: JsonError | null = null;
  depth: i32 = 0;

  constructor(private src: string) {}

  /** Parses a whole document, or returns null with `error` set. */
  parse(): JsonValue | null {
    const v = this.value();
    if (this.error != null) return null;
    this.ws();
    if (this.pos < this.src.length) {
      this.fail('unexpected text after the JSON value');
      return null;
    }
    return v;
  }

  private fail(message: string): JsonValue {
    if (this.error == null) this.error = new JsonError(message + ' at offset ' + this.pos.toString());
    return JsonValue.nul();
  }

  private ws(): void {
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c == 32 || c == 9 || c == 10 || c == 13) this.pos++;
      else break;
    }
  }

  private value(): JsonValue {
    this.ws();
    if (this.pos >= this.src.length) return this.fail('unexpected end of JSON');
    if (this.depth > 200) return this.fail('JSON nested deeper than 200 levels');
    const c = this.src.charCodeAt(this.pos);
    if (c == 123) return this.object();
    if (c == 91) return this.array();
    if (c == 34) {
      const s = this.string();
      return this.error != null ? JsonValue.nul() : JsonValue.str(s);
    }
    if (c == 116) return this.word('true', JsonValue.bool(true));
    if (c == 102) return this.word('false', JsonValue.bool(false));
    if (c == 110) return this.word('null', JsonValue.nul());
    if (c == 45 || (c >= 48 && c <= 57)) return this.number();
    return this.fail('unexpected character "' + String.fromCharCode(c) + '"');
  }

  private word(w: string, v: JsonValue): JsonValue {
    if (this.src.substr(this.pos, w.length) != w) return this.fail('invalid literal');
    this.pos += w.length;
    return v;
  }

  private number(): JsonValue {
    const start = this.pos;
    if (this.src.charCodeAt(this.pos) == 45) this.pos++;
    let digits = 0;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if ((c >= 48 && c <= 57) || c == 46 || c == 101 || c == 69 || c == 43 || c == 45) {
        this.pos++;
        if (c >= 48 && c <= 57) digits++;
      } else break;
    }
    if (digits == 0) return this.fail('invalid number');
    return JsonValue.num(this.src.substring(start, this.pos));
  }

  private string(): string {
    this.pos++; // opening quote
    const parts = new Array<string>();
    let start = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src.charCodeAt(this.pos);
      if (c == 34) {
        parts.push(this.src.substring(start, this.pos));
        this.pos++;
        return parts.join('');
      }
      if (c == 92) {
        parts.push(this.src.substring(start, this.pos));
        if (this.pos + 1 >= this.src.length) break;
        const e = this.src.charCodeAt(this.pos + 1);
        this.pos += 2;
        if (e == 110) parts.push('\n');
        else if (e == 116) parts.push('\t');
        else if (e == 114) parts.push('\r');
        else if (e == 98) parts.push('\b');
        else if (e == 102) parts.push('\f');
        else if (e == 117) {
          const code = hex4(this.src, this.pos);
          if (code < 0) {
            this.fail('invalid \\u escape');
            return '';
          }
          parts.push(String.fromCharCode(code));
          this.pos += 4;
        } else parts.push(String.fromCharCode(e));
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    this.fail('unterminated string');
    return '';
  }

  private array(): JsonValue {
    this.pos++;
    this.depth++;
    const v = JsonValue.arr();
    this.ws();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 93) {
      this.pos++;
      this.depth--;
      return v;
    }
    while (this.error == null) {
      v.push(this.value());
      this.ws();
      if (this.pos >= this.src.length) return this.fail('unterminated array');
      const c = this.src.charCodeAt(this.pos++);
      if (c == 93) break;
      if (c != 44) return this.fail('expected "," or "]"');
    }
    this.depth--;
    return v;
  }

  private object(): JsonValue {
    this.pos++;
    this.depth++;
    const v = JsonValue.obj();
    this.ws();
    if (this.pos < this.src.length && this.src.charCodeAt(this.pos) == 125) {
      this.pos++;
      this.depth--;
      return v;
    }
    while (this.error == null) {
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 34) return this.fail('expected a member name');
      const key = this.string();
      this.ws();
      if (this.pos >= this.src.length || this.src.charCodeAt(this.pos) != 58) return this.fail('expected ":"');
      this.pos++;
      v.set(key, this.value());
      this.ws();
      if (this.pos >= this.src.length) return this.fail('unterminated object');
      const c = this.src.charCodeAt(this.pos++);
      if (c == 125) break;
      if (c != 44) return this.fail('expected "," or "}"');
    }
    this.depth--;
    return v;
  }
}
