/** Layout of the flow editor: toolbar, palette, canvas, side panel; stacked on narrow screens. */
import { css } from 'lit';

export const editorStyles = css`
  :host { display: flex; flex-direction: column; height: calc(100vh - 50px); min-height: 480px; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; padding: 6px 10px; background: #fff; border-bottom: 1px solid #e2e8f0; }
  .toolbar .group { display: flex; gap: 4px; align-items: center; padding-right: 6px; border-right: 1px solid #e2e8f0; }
  .toolbar .group:last-child { border-right: 0; }
  .toolbar input.name { font-weight: 600; width: 220px; }
  .toolbar input.comment { width: 180px; }
  .body { flex: 1; display: grid; grid-template-columns: 220px 1fr 340px; min-height: 0; }
  ol-flow-canvas { min-height: 0; }
  aside { border-left: 1px solid #e2e8f0; background: #fff; display: flex; flex-direction: column; min-height: 0; }
  [role='tablist'] { display: flex; border-bottom: 1px solid #e2e8f0; }
  [role='tab'] { flex: 1; border: 0; border-radius: 0; border-bottom: 3px solid transparent; justify-content: center; font-size: 13px; }
  [role='tab'][aria-selected='true'] { border-bottom-color: #1d4ed8; font-weight: 600; }
  [role='tabpanel'] { padding: 10px 12px; overflow: auto; flex: 1; }
  .status { padding: 4px 12px; font-size: 13px; background: #f1f5f9; border-top: 1px solid #e2e8f0; min-height: 28px; }
  .status.error { background: #fef2f2; color: #7f1d1d; }
  .status.ok { background: #f0fdf4; color: #14532d; }
  .status.warn { background: #fffbeb; color: #713f12; }
  .problems li { margin: 4px 0; }
  .problems button { font-size: 12px; min-height: 24px; padding: 2px 8px; }
  @media (max-width: 1100px) { .body { grid-template-columns: 180px 1fr 280px; } }
  @media (max-width: 760px) {
    :host { height: auto; }
    .body { grid-template-columns: 1fr; grid-template-rows: auto 60vh auto; }
    ol-flow-palette { max-height: 180px; border-right: 0; border-bottom: 1px solid #e2e8f0; }
    aside { border-left: 0; border-top: 1px solid #e2e8f0; }
    .toolbar input.name { width: 100%; }
  }
`;
