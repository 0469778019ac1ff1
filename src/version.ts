export const VERSION = '0.1.0';
/** The Dagster release the generated modules and the shared service pin (core 1.13.x pairs with libraries 0.29.x). */
export const DAGSTER_VERSION = '1.13.27';
export const DAGSTER_LIBRARIES_VERSION = '0.29.27';
