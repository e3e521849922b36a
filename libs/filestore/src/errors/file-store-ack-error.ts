import { FileStoreError } from './file-store-error';

/** An append that was ordered but acknowledged by fewer replicas than `ackReplicas` (the group is too small). The
 *  replicas that answered hold it; it is not lost, but the caller asked for more copies than it got. */
export class FileStoreAckError extends FileStoreError {
  constructor(
    readonly path: string,
    readonly wanted: number,
    readonly got: number,
  ) {
    super(
      'too-few-replicas',
      `append to ${path} was acknowledged by ${got} of the ${wanted} replicas asked for: start more replicas of the group or lower ackReplicas`,
    );
  }
}
