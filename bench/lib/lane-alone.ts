// The fast lane on a plain node:http server with nothing else of rokv's around it (no Fastify app,
// no metrics unless METRICS=1): what the lane itself costs per request. Run by bench/lane-floor.ts.
import { dataRoutes } from '../../src/api/routes.js';
import { createLaneServer, FastLane } from '../../src/http/fast-lane.js';
import { Metrics } from '../../src/http/metrics.js';
import { LmdbStore } from '../../src/store/lmdb.js';

const store = await LmdbStore.open(process.env.SNAPSHOT!);
const metrics =
  process.env.METRICS === '1'
    ? new Metrics(store)
    : // Counts nothing: the scenario measures the lane without metrics.
      ({ routeStats: () => ({}), recordAnswer: () => {} } as unknown as Metrics);
const routes = dataRoutes(
  store,
  { bodyLimit: 4096, batch: { maxKeys: 1000, bodyLimit: 65_536, maxAnswerBytes: 8 * 1024 * 1024 } },
  (err) => console.error(err),
);
const lane = new FastLane(routes, metrics);
const notFound = (_req: unknown, res: import('node:http').ServerResponse): void => void res.writeHead(404).end();
createLaneServer(lane, store, notFound, { http: {}, keepAliveTimeout: 72_000, requestTimeout: 30_000 }).listen(
  Number(process.env.PORT),
  '127.0.0.1',
);
