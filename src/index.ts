export { buildApp, type AppConfig, type AppOptions } from './http/app.js';
export { LmdbStore } from './store/lmdb.js';
export type { Store } from './store/store.js';
export { buildSnapshot, type BuildResult } from './ingest/build.js';
export { verifySnapshot } from './snapshot/verify.js';
export type { Manifest, ManifestInfo } from './snapshot/manifest.js';
export { parseUuid, formatUuid, isUuidV4 } from './uuid.js';
export { CliError, HttpError, RokvError, type ErrorCode } from './errors.js';
export {
  RokvClient,
  type RokvClientOptions,
  type CallOptions,
  type GetResult,
  type DatasetInfo,
} from './client/rokv-client.js';
export { RokvClientError, type ClientErrorCode } from './client/errors.js';
