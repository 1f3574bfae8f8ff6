/** A session ends after this long without a request, or at its absolute lifetime, whichever comes first. */
export const sessionIdleMsDefault = 30 * 60 * 1000;
export const sessionLifetimeMsDefault = 12 * 60 * 60 * 1000;
/** A session's last use is written at most this often, so a busy session costs one write a minute, not one a request. */
export const sessionTouchIntervalMs = 60 * 1000;
