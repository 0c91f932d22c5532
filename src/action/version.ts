/** The action's version, fixed when the bundle is built (`NAVARCH_VERSION` is defined by the build). */
declare const NAVARCH_VERSION: string | undefined;

/** The navarch version this action was built from. */
export const VERSION: string = typeof NAVARCH_VERSION === 'string' ? NAVARCH_VERSION : '0.0.0-dev';
