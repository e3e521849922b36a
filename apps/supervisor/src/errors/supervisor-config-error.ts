/** A flag, variable or the desired-state file of the supervisor is wrong; the message names which and why. */
export class SupervisorConfigError extends Error {
  override readonly name = 'SupervisorConfigError';
}
