/** Styles shared by the pages: controls with a visible focus ring, panels, tables, notices. */
import { css } from 'lit';

export const sharedStyles = css`
  :host { font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: #0f172a; }
  *, *::before, *::after { box-sizing: border-box; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  h2 { font-size: 16px; margin: 0 0 8px; }
  h3 { font-size: 14px; margin: 12px 0 6px; }
  a { color: #1d4ed8; }
  button, .button { font: inherit; padding: 6px 12px; border: 1px solid #cbd5e1; border-radius: 6px; background: #fff;
    color: #0f172a; cursor: pointer; text-decoration: none; display: inline-flex; align-items: center; gap: 4px; min-height: 32px; }
  button:hover:not(:disabled) { background: #f1f5f9; }
  button.primary { background: #1d4ed8; border-color: #1d4ed8; color: #fff; }
  button.primary:hover:not(:disabled) { background: #1e40af; }
  button.danger { color: #b91c1c; border-color: #fca5a5; }
  button:disabled { opacity: 0.5; cursor: not-allowed; }
  :is(button, a, input, select, textarea, [tabindex]):focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
  input, select, textarea { font: inherit; padding: 5px 8px; border: 1px solid #94a3b8; border-radius: 6px; background: #fff; color: inherit; min-height: 32px; }
  textarea { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 13px; }
  input[type='checkbox'] { min-height: 0; width: 16px; height: 16px; }
  label { display: block; font-weight: 600; font-size: 13px; margin: 8px 0 2px; }
  label.inline { display: inline-flex; align-items: center; gap: 6px; font-weight: 400; margin: 4px 12px 4px 0; }
  .hint { color: #475569; font-size: 12px; font-weight: 400; }
  .field-error { color: #b91c1c; font-size: 12px; margin: 2px 0 0; }
  .notice { padding: 10px 12px; border-radius: 6px; background: #eff6ff; border: 1px solid #bfdbfe; margin: 8px 0; }
  .notice.error { background: #fef2f2; border-color: #fecaca; color: #7f1d1d; }
  .notice.warn { background: #fffbeb; border-color: #fde68a; color: #713f12; }
  .notice.ok { background: #f0fdf4; border-color: #bbf7d0; color: #14532d; }
  .empty { color: #475569; padding: 16px; text-align: center; border: 1px dashed #cbd5e1; border-radius: 8px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid #e2e8f0; vertical-align: top; }
  th { font-size: 12px; color: #475569; font-weight: 600; }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
  .spacer { flex: 1; }
  .badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; background: #e2e8f0; color: #0f172a; }
  .badge.running { background: #dbeafe; } .badge.finished { background: #dcfce7; } .badge.failed { background: #fee2e2; }
  .badge.paused, .badge.waiting, .badge.suspended { background: #fef9c3; } .badge.revoked, .badge.skipped { background: #e2e8f0; }
  .sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; }
  pre { background: #f8fafc; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px; overflow: auto; max-height: 320px; white-space: pre-wrap; word-break: break-word; }
`;
