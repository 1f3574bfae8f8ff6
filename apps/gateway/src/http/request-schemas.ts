import { z } from 'zod';
import { pageSizeDefault, pageSizeMax } from './pagination';

/**
 * Pieces the request schemas of several areas share; each area's own schemas are in its `*.schemas.ts`. The bodies
 * the web app sends too, and their pieces (currency, amount, ids), are the contract's (libs/contracts/src/requests.ts).
 */
export { amountSchema, currencySchema, noteSchema, referenceIdSchema } from '@storecredit/contracts';

export const pageLimitSchema = z.coerce.number().int().min(1).max(pageSizeMax).default(pageSizeDefault);
