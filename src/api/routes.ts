import type { Store } from '../store/store.js';
import type { FailureLog } from './answer.js';
import { getValueRoute, type DataRoute } from './get-value.js';
import { getValuesRoute, type BatchLimits } from './get-values.js';

/** The limits of the data routes, from the configuration. */
export interface DataLimits {
  /** Largest `/get_value` body, in bytes. */
  bodyLimit: number;
  batch: BatchLimits;
}

/** The answer cores of the data routes. */
export interface DataRoutes {
  getValue: DataRoute;
  getValues: DataRoute;
}

/**
 * The answer cores of `POST /get_value` and `POST /get_values` over `store`, for every adapter of a
 * server to share: `log` receives the failures that answer 5xx.
 */
export function dataRoutes(store: Store, limits: DataLimits, log: FailureLog): DataRoutes {
  return { getValue: getValueRoute(store, limits.bodyLimit, log), getValues: getValuesRoute(store, limits.batch, log) };
}
