/** `<ol-gantt-chart>`: the task's node durations on one time axis. */
import { LitElement, html, css, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { Timeline } from '../model/timeline.js';
import { formatDuration } from '../model/timeline.js';
import { sharedStyles } from './shared-styles.js';

@customElement('ol-gantt-chart')
export class GanttChart extends LitElement {
  static override styles = [sharedStyles, css`
    :host { display: block; }
    .row { display: grid; grid-template-columns: 160px 1fr 80px; gap: 8px; align-items: center; margin: 3px 0; }
    .name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-size: 12px; }
    .track { position: relative; height: 14px; background: #f1f5f9; border-radius: 3px; }
    .bar { position: absolute; top: 0; bottom: 0; border-radius: 3px; background: #94a3b8; min-width: 2px; }
    .bar.running { background: #2563eb; } .bar.finished { background: #16a34a; } .bar.failed { background: #dc2626; }
    .bar.waiting, .bar.suspended { background: #ca8a04; }
    .dur { font-size: 12px; color: #475569; text-align: right; }
  `];
  @property({ attribute: false }) timeline: Timeline | undefined;

  override render() {
    const t = this.timeline;
    if (!t || t.bars.length === 0) return html`<p class="hint">No node has started yet.</p>`;
    return html`<div role="table" aria-label="Node durations">${t.bars.map((b) => html`
      <div class="row" role="row">
        <span class="name" role="cell" title=${b.label}>${b.label}</span>
        <span class="track" role="cell"><span class="bar ${b.state}" style=${`left:${(b.offset * 100).toFixed(2)}%;width:${(b.width * 100).toFixed(2)}%`}
          title=${`${b.label}: ${b.state}, ${formatDuration(b.endMs - b.startMs)}`}></span></span>
        <span class="dur" role="cell">${formatDuration(b.endMs - b.startMs)}${b.open ? '…' : nothing}</span></div>`)}</div>
      <p class="hint">Total ${formatDuration(t.endMs - t.startMs)}</p>`;
  }
}
