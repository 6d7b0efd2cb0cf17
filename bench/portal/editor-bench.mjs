// The editor benchmark lives with the portal (it drives the portal's own bundle in Chromium).
await import('../../portal/bench/editor-bench.mjs');
