export { DhtRequestError } from './dht-request-error';
export { DhtFullError } from './dht-full-error';
export { DhtUnavailableError } from './dht-unavailable-error';
