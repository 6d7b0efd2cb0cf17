import { AppError } from '../errors.js';

/** Thrown when a webhook or chat URL's origin is not in the operator's `OPSLOOM_NOTIFY_ORIGINS`. */
export class NotifyOriginRefusedError extends AppError {
  readonly status = 403;
  readonly code = 'notify_origin_not_allowed';
  constructor(readonly origin: string) {
    super(`notifications may not be sent to ${origin}: the operator has not listed it in OPSLOOM_NOTIFY_ORIGINS`, { origin });
  }
}

/** Thrown when e-mail is asked for but the server has no SMTP settings. */
export class SmtpNotConfiguredError extends AppError {
  readonly status = 503;
  readonly code = 'smtp_not_configured';
  constructor() {
    super('this server sends no e-mail: the operator must set OPSLOOM_SMTP_URL (and OPSLOOM_SMTP_FROM)');
  }
}

/** Thrown when the receiving side refused, failed or did not answer in time. */
export class NotifyDeliveryError extends AppError {
  readonly status = 502;
  readonly code = 'notify_delivery_failed';
  constructor(readonly channel: string, message: string) {
    super(`${channel} notification was not delivered: ${message}`, { channel });
  }
}
