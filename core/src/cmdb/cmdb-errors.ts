import { AppError, ValidationError } from '../errors.js';
import type { ImportRowError } from './host-import.js';

/** Thrown when a host import has invalid rows; nothing of the import was written. */
export class ImportRejectedError extends AppError {
  readonly status = 422;
  readonly code = 'import_rejected';
  constructor(readonly rows: ImportRowError[]) {
    const first = rows[0]!;
    const where = first.line !== undefined ? `line ${first.line}` : `row ${first.row}`;
    super(`${rows.length} row${rows.length === 1 ? '' : 's'} of the import ${rows.length === 1 ? 'is' : 'are'} invalid, nothing was imported; first: ${where}, ${first.field}: ${first.message}`, { rows });
  }
}

/** A bad label selector, reported like any other invalid field. */
export function selectorError(path: string, message: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message }]);
}
