/**
 * The groups and message names of replicated estimation (the cluster
 * conventions). Senders and handlers agree on names; @gridcloud/nest-vsync
 * derives each message's handler id from its name (`messageHandlerId`).
 */
export const ESTIMATORS_GROUP = 'estimators';
export const RESULTS_GROUP = 'results';
export const ESTIMATOR_SERVICE_GROUP = 'service.estimator';
/** An encoded snapshot (encodeSnapshot), FIFO `send` from ingest to `estimators`. */
export const SNAPSHOT_MESSAGE = 'snapshot';
/** An encoded PMU catalog (encodeCatalog), FIFO `send` from ingest to `estimators`. */
export const CATALOG_MESSAGE = 'catalog';
/** An encoded area result (encodeAreaResult), `send` from a worker to `results`. */
export const AREA_RESULT_MESSAGE = 'area-result';
