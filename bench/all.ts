// `npm run bench`: every scenario in turn, then the profile, each with its baselines in the same run; results land in
// bench/results/; `npm run bench:chart` draws them into docs/performance.svg.
await import('./single-key.js');
await import('./large-dataset.js');
await import('./tail.js');
await import('./workers.js');
await import('./profile.js');
