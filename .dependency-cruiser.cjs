// The import rules `npm test` enforces (npm run deps): no import cycle anywhere in src/ and bench/, and
// the layers of src/ (docs/design: data flows input -> ingest -> snapshot -> store -> http; each layer
// imports only the layers below it). LAYERS is the one statement of that order, lowest first: a module
// may import its own folder and folders of lower layers, never a sibling of its layer or anything higher.
const LAYERS = [
  // The base every layer may use, one fact each: byte copies, the error catalog, reading JSON of
  // unknown shape, UUID syntax, the version, checks that succeed or not; then what fails with the
  // catalog's errors (the option table, reading a file an operator named), then the config validated
  // from the option table.
  ['bytes.ts', 'errors.ts', 'json.ts', 'uuid.ts', 'version.ts', 'succeeds.ts'],
  ['options.ts', 'input-file.ts'],
  ['config.ts'],
  // The on-disk format both sides share; synthetic data; the client library (HTTP only, no server code).
  ['snapshot/', 'gen/', 'client/'],
  // Readers of input into snapshots; engines serving snapshots; the load tester (a client of a server).
  ['ingest/', 'store/', 'loadtest/'],
  // The wire contract and the runtime-neutral answer cores.
  ['api/'],
  // Fastify app, fast lane, Bun front.
  ['http/'],
  // The process around the app: workers, signals, reload.
  ['server/'],
  // One file per command.
  ['cli/'],
  // Entry points: the binary and the library's exports.
  ['main.ts', 'index.ts'],
];

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const path = (unit) => `^src/${escape(unit)}${unit.endsWith('/') ? '' : '$'}`;

const layerRules = LAYERS.flatMap((layer, rank) =>
  layer.map((unit) => {
    const notBelow = LAYERS.slice(rank)
      .flat()
      .filter((other) => other !== unit);
    return {
      name: `layer-${unit.replace(/[./]/g, '-').replace(/-+$/, '')}`,
      comment: `src/${unit} may import only its own files and the layers below it (see LAYERS)`,
      severity: 'error',
      from: { path: path(unit) },
      to: { path: notBelow.map(path) },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'two modules that import each other, directly or through others',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-stands-alone',
      comment: 'the shipped code never imports benchmarks or tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(bench|test)/' },
    },
    {
      name: 'every-src-module-has-a-layer',
      comment: 'a new folder or root file of src/ goes into LAYERS, so its place in the order is said',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.flat().map(path) },
      to: {},
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
