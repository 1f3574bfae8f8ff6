/** Limits every producer and the staff web app work within; the command schemas and the gateway enforce them. */
export const noteLengthMax = 500;
/** Gift cards issued by one request to the gateway. */
export const giftCardsPerIssueMax = 50;
