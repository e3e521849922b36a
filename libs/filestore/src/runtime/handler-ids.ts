/** Handler ids of the file store's group. */
/** A group commit of appends (append-commit.ts); id 1 was the single append of the layout before. */
export const COMMIT_ID = 4;
export const CATCH_UP_FILES_ID = 2;
export const CATCH_UP_RECORDS_ID = 3;
