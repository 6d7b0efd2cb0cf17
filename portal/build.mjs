// Builds the portal's static files into dist/public (index.html, app.js, app.css).
// Needs `tsc -b portal` first (it runs the compiled bundler in dist/build).
import { buildPortal } from './dist/build/bundle.js';

const { outDir, bytes } = await buildPortal();
console.log(`portal built into ${outDir} (${Math.round(bytes / 1024)} KiB)`);
