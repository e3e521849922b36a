/** Handler ids of the file store's group. */
export const APPEND_ID = 1;
export const CATCH_UP_FILES_ID = 2;
export const CATCH_UP_RECORDS_ID = 3;
