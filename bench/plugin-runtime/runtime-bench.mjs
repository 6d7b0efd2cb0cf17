// The plugin runtime's benchmark lives with its package; this keeps every benchmark under bench/.
await import('../../plugin-runtime/dist/bench/runtime-bench.js');
