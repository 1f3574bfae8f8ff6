/** A session ends after this long without a request, or at its absolute lifetime, whichever comes first. */
export const sessionIdleMsDefault = 30 * 60 * 1000;
export const sessionLifetimeMsDefault = 12 * 60 * 60 * 1000;
/** A session's last use is written at most this often, so a busy session costs one write a minute, not one a request. */
export const sessionTouchIntervalMs = 60 * 1000;
/**
 * A session in use may look unused for up to one touch interval, so the idle time must leave room for it: at twice
 * the interval, a session used at least every half idle time never ends while in use.
 */
export const sessionIdleMsMin = 2 * sessionTouchIntervalMs;
