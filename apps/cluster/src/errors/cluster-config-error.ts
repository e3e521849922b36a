/** A bad `npm start` flag; the message names the flag and what it expects. */
export class ClusterConfigError extends Error {
  override readonly name = 'ClusterConfigError';
}
