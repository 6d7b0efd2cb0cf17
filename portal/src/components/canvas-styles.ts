/**
 * Styles of the flow canvas. jsPlumb's own rules live here, not in a global sheet, because
 * global CSS does not reach into the canvas's shadow root.
 */
import { css } from 'lit';

export const canvasStyles = css`
  :host { display: block; position: relative; overflow: hidden; background: #f8fafc;
    background-image: radial-gradient(#cbd5e1 1px, transparent 1px); background-size: 20px 20px; min-height: 300px; }
  .viewport { position: absolute; inset: 0; overflow: hidden; cursor: grab; touch-action: none; }
  .viewport:focus-visible { outline: 3px solid #2563eb; outline-offset: -3px; }
  .viewport.panning { cursor: grabbing; }
  .world { position: relative; width: 0; height: 0; transform-origin: 0 0; overflow: visible; }
  .marquee { position: absolute; border: 1px dashed #2563eb; background: rgb(37 99 235 / 8%); pointer-events: none; }
  .jtk-connector { position: absolute; overflow: visible; z-index: 1; cursor: pointer; }
  .jtk-connector path { transition: stroke 0.1s; }
  .jtk-endpoint { position: absolute; z-index: 4; cursor: crosshair; }
  .jtk-endpoint.ep-in circle { fill: #e2e8f0; stroke: #64748b; stroke-width: 1.5px; }
  .jtk-endpoint.ep-out circle { fill: #2563eb; }
  .jtk-endpoint.jtk-drag-hover circle, .jtk-endpoint.jtk-drag-active.ep-in circle { fill: #16a34a; }
  .jtk-overlay { position: absolute; z-index: 5; }
  .flow-label { background: #fff; border: 1px solid #cbd5e1; border-radius: 4px; padding: 1px 6px; font-size: 11px;
    color: #334155; white-space: nowrap; cursor: pointer; }
  .flow-label--default { font-style: italic; color: #64748b; }
  .node { position: absolute; box-sizing: border-box; width: 180px; min-height: 56px; padding: 8px 10px 8px 34px;
    background: #fff; border: 1.5px solid #94a3b8; border-radius: 8px; box-shadow: 0 1px 2px rgb(15 23 42 / 8%);
    font-size: 13px; color: #0f172a; cursor: move; z-index: 2; user-select: none; display: flex; flex-direction: column; justify-content: center; }
  .node:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
  .node .glyph { position: absolute; left: 9px; top: 50%; transform: translateY(-50%); font-size: 15px; color: #475569; }
  .node .label { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .node .sub { font-size: 11px; color: #64748b; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .node--compact { width: 150px; min-height: 44px; border-radius: 22px; background: #f1f5f9; }
  .node--start { border-color: #16a34a; background: #f0fdf4; }
  .node--end { border-color: #475569; background: #f1f5f9; }
  .node--exclusive, .node--parallel, .node--conditional-parallel, .node--converge { border-color: #d97706; background: #fffbeb; border-radius: 6px; }
  .node--selected { border-color: #2563eb; box-shadow: 0 0 0 3px rgb(37 99 235 / 30%); }
  .node--error { border-color: #dc2626; box-shadow: 0 0 0 3px rgb(220 38 38 / 25%); }
  .node--error::after { content: '!'; position: absolute; top: -9px; right: -9px; width: 18px; height: 18px; border-radius: 9px;
    background: #dc2626; color: #fff; font-weight: 700; font-size: 12px; text-align: center; line-height: 18px; }
  .node--excluded { opacity: 0.4; border-style: dashed; }
  .state--pending, .state--ready { background: #f8fafc; border-color: #cbd5e1; }
  .state--running { background: #eff6ff; border-color: #2563eb; animation: pulse 1.2s ease-in-out infinite; }
  .state--waiting, .state--suspended { background: #fefce8; border-color: #ca8a04; }
  .state--finished { background: #f0fdf4; border-color: #16a34a; }
  .state--failed { background: #fef2f2; border-color: #dc2626; }
  .state--skipped, .state--revoked { background: #f1f5f9; border-color: #94a3b8; color: #64748b; }
  @keyframes pulse { 50% { box-shadow: 0 0 0 4px rgb(37 99 235 / 25%); } }
  @media (prefers-reduced-motion: reduce) { .state--running { animation: none; } }
`;
