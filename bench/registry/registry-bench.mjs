// The registry's publish and install benchmark lives with its package.
await import('../../plugin-registry/dist/bench/registry-bench.js');
