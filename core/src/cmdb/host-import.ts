import { z } from 'zod';
import { cloudArea, ipAddress, labels as labelsSchema, topologyName } from './cmdb-schemas.js';

/** One validated row of a host import. */
export interface ImportRow {
  /** 1-based data row number (the CSV header is not counted). */
  row: number;
  /** Line of the CSV text, when the import was CSV. */
  line?: number;
  cloudArea: number;
  ip: string;
  hostname: string | null;
  set: string | null;
  module: string | null;
  /** Null when the row gave no labels (the host's labels are left as they are). */
  labels: Record<string, string> | null;
}

/** What is wrong with one row: the row number, the column and what to fix. */
export interface ImportRowError {
  row: number;
  /** Line of the CSV text (1 = header), when the import was CSV. */
  line?: number;
  field: string;
  message: string;
}

/** Most rows one import may carry. */
export const MAX_IMPORT_ROWS = 20_000;
export const IMPORT_COLUMNS = ['cloudArea', 'ip', 'hostname', 'set', 'module', 'labels'] as const;

const hostname = z.string().trim().min(1).max(255).regex(/^[^\s,;]+$/, 'must not contain spaces, "," or ";"');

/** A row as JSON imports give it; `labels` may be an object or `k=v;k=v` text. */
const jsonRow = z.object({
  cloudArea: z.union([cloudArea, z.string()]).optional(),
  ip: z.string(),
  hostname: z.string().optional().nullable(),
  set: z.string().optional().nullable(),
  module: z.string().optional().nullable(),
  labels: z.union([z.record(z.string(), z.string()), z.string()]).optional().nullable(),
}).strict();

type RawRow = { row: number; line?: number; fields: Record<string, unknown> };

/**
 * Parses CSV text with the header `cloudArea,ip,hostname,set,module,labels` (any order; `hostname`,
 * `set`, `module` and `labels` may be left out or empty; `cloudArea` defaults to 0). Labels are
 * `key=value` pairs separated by `;` (or by `,` inside a quoted field). Fields may be quoted with `"`.
 */
export function parseHostCsv(text: string): { rows: ImportRow[]; errors: ImportRowError[] } {
  const lines = splitCsv(text.replace(/^\uFEFF/, ''));
  const errors: ImportRowError[] = [];
  const header = lines.shift();
  if (!header || header.cells.every((c) => c.trim() === '')) return { rows: [], errors: [{ row: 0, line: 1, field: 'header', message: `the CSV needs a header line: ${IMPORT_COLUMNS.join(',')}` }] };
  const columns = header.cells.map((c) => c.trim());
  for (const c of columns) {
    if (!(IMPORT_COLUMNS as readonly string[]).includes(c)) errors.push({ row: 0, line: 1, field: 'header', message: `unknown column "${c}" (known: ${IMPORT_COLUMNS.join(', ')})` });
  }
  if (!columns.includes('ip')) errors.push({ row: 0, line: 1, field: 'header', message: 'the header must name an "ip" column' });
  if (errors.length > 0) return { rows: [], errors };
  const raw: RawRow[] = [];
  let n = 0;
  for (const l of lines) {
    if (l.cells.every((c) => c.trim() === '')) continue;
    n++;
    if (l.cells.length !== columns.length) {
      errors.push({ row: n, line: l.line, field: 'row', message: `has ${l.cells.length} fields; the header has ${columns.length}` });
      continue;
    }
    raw.push({ row: n, line: l.line, fields: Object.fromEntries(columns.map((c, i) => [c, l.cells[i]!])) });
  }
  const out = validateRows(raw);
  return { rows: out.rows, errors: [...errors, ...out.errors].sort((a, b) => a.row - b.row) };
}

/** Validates rows of a JSON import (objects with the CSV's column names). */
export function parseHostJson(items: unknown[]): { rows: ImportRow[]; errors: ImportRowError[] } {
  const errors: ImportRowError[] = [];
  const raw: RawRow[] = [];
  items.forEach((item, i) => {
    const parsed = jsonRow.safeParse(item);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) errors.push({ row: i + 1, field: issue.path.map(String).join('.') || 'row', message: issue.message });
      return;
    }
    raw.push({ row: i + 1, fields: parsed.data });
  });
  const out = validateRows(raw);
  return { rows: out.rows, errors: [...errors, ...out.errors].sort((a, b) => a.row - b.row) };
}

function validateRows(raw: RawRow[]): { rows: ImportRow[]; errors: ImportRowError[] } {
  const rows: ImportRow[] = [];
  const errors: ImportRowError[] = [];
  const seen = new Map<string, number>();
  if (raw.length > MAX_IMPORT_ROWS) return { rows, errors: [{ row: MAX_IMPORT_ROWS + 1, field: 'row', message: `an import holds at most ${MAX_IMPORT_ROWS} hosts; split the file` }] };
  for (const r of raw) {
    const at = (field: string, message: string) => errors.push({ row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), field, message });
    const text = (k: string): string | null => {
      const v = r.fields[k];
      if (v === undefined || v === null) return null;
      const s = String(v).trim();
      return s === '' ? null : s;
    };
    const before = errors.length;
    const areaText = text('cloudArea') ?? '0';
    const area = /^\d{1,10}$/.test(areaText) ? cloudArea.safeParse(Number(areaText)) : undefined;
    if (!area?.success) at('cloudArea', `"${areaText}" is not a cloud area (a whole number ≥ 0)`);
    const ip = text('ip');
    if (ip === null) at('ip', 'is required');
    else if (!ipAddress.safeParse(ip).success) at('ip', `"${ip}" is not an IPv4 or IPv6 address`);
    const host = text('hostname');
    if (host !== null) {
      const h = hostname.safeParse(host);
      if (!h.success) at('hostname', h.error.issues[0]!.message);
    }
    const set = text('set');
    const mod = text('module');
    if ((set === null) !== (mod === null)) at(set === null ? 'set' : 'module', 'give both set and module, or neither (the host goes to the idle pool)');
    for (const [k, v] of [['set', set], ['module', mod]] as const) {
      if (v !== null && !topologyName.safeParse(v).success) at(k, `"${v}" is not a valid ${k} name (1–128 characters without , ; = ( ))`);
    }
    const labels = parseLabels(r.fields.labels, (m) => at('labels', m));
    if (errors.length > before) continue;
    const key = `${area!.data}|${ip}`;
    const first = seen.get(key);
    if (first !== undefined) {
      at('ip', `host ${ip} in cloud area ${area!.data} appears already in row ${first}`);
      continue;
    }
    seen.set(key, r.row);
    rows.push({ row: r.row, ...(r.line !== undefined ? { line: r.line } : {}), cloudArea: area!.data!, ip: ip!, hostname: host, set, module: mod, labels });
  }
  return { rows, errors };
}

function parseLabels(value: unknown, fail: (message: string) => void): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  let pairs: Record<string, string>;
  if (typeof value === 'string') {
    if (value.trim() === '') return null;
    pairs = {};
    for (const part of value.split(/[;,]/).map((p) => p.trim()).filter(Boolean)) {
      const eq = part.indexOf('=');
      if (eq <= 0) {
        fail(`"${part}" is not key=value`);
        return null;
      }
      const k = part.slice(0, eq).trim();
      if (Object.hasOwn(pairs, k)) {
        fail(`label "${k}" is given twice`);
        return null;
      }
      pairs[k] = part.slice(eq + 1).trim();
    }
  } else {
    pairs = value as Record<string, string>;
  }
  const checked = labelsSchema.safeParse(pairs);
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    fail(issue.path.length ? `label "${String(issue.path[0])}": ${issue.message}` : issue.message);
    return null;
  }
  return checked.data;
}

/** Splits CSV text into lines of cells (RFC 4180 quoting; quoted fields may hold commas, quotes and newlines). */
function splitCsv(text: string): { line: number; cells: string[] }[] {
  const out: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let startLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      cells.push(cell);
      out.push({ line: startLine, cells });
      cells = [];
      cell = '';
      line++;
      startLine = line;
    } else {
      cell += c;
    }
  }
  if (cell !== '' || cells.length > 0) {
    cells.push(cell);
    out.push({ line: startLine, cells });
  }
  return out;
}
