/* global document, window, requestAnimationFrame, cancelAnimationFrame -- these run inside the page through page.evaluate */
// Editor benchmark: a 500-node / 599-flow flow in headless Chromium.
// Measures time to interactive after opening the editor with it, frame rate while dragging a node,
// and auto-layout time (in Node and in the page), each as a median, against the goals of issue 8.
// Usage: npx tsc -b portal && node --no-node-snapshot portal/bench/editor-bench.mjs [runs]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTestServer, TEST_ADMIN_PASSWORD } from '../../core/dist/test-support/test-server.js';
import { buildPortal } from '../dist/build/bundle.js';
import { launchChromium } from '../dist/e2e/browser.js';
import { startPortalServer } from '../dist/e2e/portal-server.js';
import { syntheticFlow } from '../dist/model/synthetic-flow.js';
import { autoLayout } from '../dist/model/auto-layout.js';

const runs = Number(process.argv[2] ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const graph = syntheticFlow({ tasks: 248, blocks: 50 });
graph.layout = autoLayout(graph);

const nodeLayout = [];
for (let i = 0; i < 20; i++) {
  const t = performance.now();
  autoLayout(graph);
  nodeLayout.push(performance.now() - t);
}

const dir = mkdtempSync(join(tmpdir(), 'opsloom-portal-bench-'));
await buildPortal({ outDir: dir });
const core = await startTestServer();
await core.admin.call('POST', '/api/v1/projects', { key: 'bench', name: 'Bench' });
const front = await startPortalServer({ publicDir: dir, apiUrl: core.url });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const tti = [];
const fps = [];
const pageLayout = [];
try {
  await page.goto(front.url);
  await page.evaluate(async (password) => {
    await fetch('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  }, TEST_ADMIN_PASSWORD);
  for (let r = 0; r < runs; r++) {
    await page.goto(`${front.url}/#/p/bench/flows/new`);
    await page.reload();
    await page.locator('ol-flow-canvas .node[data-id=start]').waitFor();
    // Time to interactive: from handing the editor the flow to the second frame after it is drawn.
    tti.push(await page.evaluate(async (g) => {
      const editor = document.querySelector('ol-app').shadowRoot.querySelector('ol-flow-editor');
      const t0 = performance.now();
      editor.loadGraph(g);
      await editor.updateComplete;
      await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
      return performance.now() - t0;
    }, graph));
    const count = await page.locator('ol-flow-canvas .node').count();
    if (count !== graph.nodes.length) throw new Error(`expected ${graph.nodes.length} nodes on the canvas, saw ${count}`);

    // Drag a node with connections for about a second and count the frames the page painted.
    const box = await page.locator('ol-flow-canvas .node[data-id=t120]').boundingBox();
    await page.evaluate(() => {
      window.__frames = [];
      const tick = (t) => { window.__frames.push(t); if (window.__frames.length < 100000) window.__raf = requestAnimationFrame(tick); };
      window.__raf = requestAnimationFrame(tick);
    });
    await page.mouse.move(box.x + 40, box.y + 20);
    await page.mouse.down();
    const steps = 60;
    for (let i = 1; i <= steps; i++) {
      await page.mouse.move(box.x + 40 + i * 4, box.y + 20 + Math.sin(i / 6) * 40);
      await new Promise((resolve) => setTimeout(resolve, 16));
    }
    await page.mouse.up();
    const frames = await page.evaluate(() => { cancelAnimationFrame(window.__raf); return window.__frames; });
    const moved = await page.evaluate(() => document.querySelector('ol-app').shadowRoot.querySelector('ol-flow-editor').graph.layout.t120);
    if (moved.x === graph.layout.t120.x) throw new Error('the dragged node did not move');
    const span = frames[frames.length - 1] - frames[0];
    fps.push(((frames.length - 1) / span) * 1000);

    await page.locator('ol-flow-editor button', { hasText: 'Auto-layout' }).click();
    const text = await page.locator('ol-flow-editor .status').textContent();
    pageLayout.push(Number(/in (\d+) ms/.exec(text)?.[1] ?? NaN));
  }
} finally {
  await browser.close();
  await front.close();
  await core.close();
  rmSync(dir, { recursive: true, force: true });
}

const rows = [
  ['time to interactive (500 nodes / 599 flows)', median(tti), 'ms', 1500, 'max'],
  ['frame rate while dragging a node', median(fps), 'fps', 50, 'min'],
  ['auto-layout in the page', median(pageLayout), 'ms', 200, 'max'],
  ['auto-layout in Node (20 runs)', median(nodeLayout), 'ms', 200, 'max'],
];
console.log(`portal editor benchmark, ${runs} run(s), medians; node ${process.version}`);
console.log('| measure | median | goal | ratio to goal |');
console.log('|---|---|---|---|');
for (const [name, value, unit, goal, kind] of rows) {
  const ratio = kind === 'max' ? goal / value : value / goal;
  console.log(`| ${name} | ${value.toFixed(1)} ${unit} | ${kind === 'max' ? '≤' : '≥'} ${goal} ${unit} | ${ratio.toFixed(2)}× ${ratio >= 1 ? 'ok' : 'MISSED'} |`);
}
