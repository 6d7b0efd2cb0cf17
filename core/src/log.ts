import pino, { type Logger } from 'pino';
import type { Config } from './config/config.js';

/** Structured JSON logs on stdout; secrets never reach them (redacted by path as a second line of defence). */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    base: { service: 'opsloom' },
    redact: { paths: ['password', '*.password', 'token', '*.token', 'headers.authorization', 'secret', '*.secret'], censor: '******' },
  });
}
