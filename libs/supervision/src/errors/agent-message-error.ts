/** A message on the `agents` group did not have the shape of an order or a process event; it is dropped. */
export class AgentMessageError extends Error {
  override readonly name = 'AgentMessageError';
}
