/** Limits every producer and the staff web app work within; the command schemas and the gateway enforce them. */
export const noteLengthMax = 500;
/** Gift cards issued by one request to the gateway. */
export const giftCardsPerIssueMax = 50;
/** How long a hold lasts when the command does not say: 15 minutes; at most 7 days. */
export const holdExpiresInSecondsDefault = 15 * 60;
export const holdExpiresInSecondsMax = 7 * 24 * 60 * 60;
