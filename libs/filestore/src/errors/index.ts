export { FileStoreError } from './file-store-error';
export { FileStorePathError } from './file-store-path-error';
export { FileStoreRecordError } from './file-store-record-error';
export { FileStoreOptionsError } from './file-store-options-error';
export { FileStoreAckError } from './file-store-ack-error';
export { FileStoreClosedError } from './file-store-closed-error';
export { FileStoreOverloadError } from './file-store-overload-error';
export { FileStoreCatchUpError } from './file-store-catch-up-error';
