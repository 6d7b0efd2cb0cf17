/** Settings of notifications. */
export interface NotifyOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; unset = no e-mail. */
  smtpUrl?: string | undefined;
  /** Sender address. @default opsloom@<smtp host> */
  smtpFrom?: string | undefined;
  /** Origins webhooks and chat messages may go to. @default [] (none) */
  origins?: readonly string[];
  /** Time for one webhook request or one SMTP conversation step. @default 10 s */
  timeoutMs?: number;
  /** Most bytes of a webhook's answer that are read (the rest is dropped). @default 64 KiB */
  responseBytes?: number;
  /** Largest webhook request body. @default 1 MiB */
  requestBytes?: number;
}

/** {@link NotifyOptions} with defaults applied. */
export interface CompiledNotifyOptions {
  smtpUrl: string | undefined;
  smtpFrom: string | undefined;
  origins: ReadonlySet<string>;
  timeoutMs: number;
  responseBytes: number;
  requestBytes: number;
}

/** Applies defaults and normalises the origins. @throws TypeError on a malformed origin */
export function compileNotifyOptions(o: NotifyOptions): CompiledNotifyOptions {
  const origins = new Set<string>();
  for (const raw of o.origins ?? []) {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`notify origin ${raw} must be http or https`);
    origins.add(u.origin);
  }
  let smtpFrom = o.smtpFrom;
  if (o.smtpUrl && !smtpFrom) smtpFrom = `opsloom@${new URL(o.smtpUrl).hostname}`;
  return {
    smtpUrl: o.smtpUrl, smtpFrom, origins,
    timeoutMs: o.timeoutMs ?? 10_000, responseBytes: o.responseBytes ?? 64 * 1024, requestBytes: o.requestBytes ?? 1024 * 1024,
  };
}
