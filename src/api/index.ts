/**
 * What a runtime's front needs to serve the data routes: the contract and the answer cores. A front
 * checks the head (method, exact path, content type `application/json`, a length within the route's
 * `bodyLimit`), hands the body's bytes to the route's `answer`, and writes the answer's status,
 * `answerHeaders` and body bytes as they are; anything else it leaves to the full app.
 */
export { errorAnswer, errorBody, errorJson, type FailureLog } from './answer.js';
export {
  answerHeaders,
  datasetAnswerHeaders,
  DATA_METHOD,
  DATASET_HEADER,
  GET_VALUE,
  GET_VALUES,
  JSON_TYPE,
  REQUEST_TYPE,
  type Answer,
  type DataPath,
  type Outcome,
} from './contract.js';
export type { DataRoute } from './get-value.js';
export type { BatchLimits } from './get-values.js';
export { dataRoutes, type DataLimits, type DataRoutes } from './routes.js';
