import { isSupportedCurrency } from '@storecredit/contracts';
import { z } from 'zod';
import { pageSizeDefault, pageSizeMax } from './pagination';

/** Pieces the request schemas of several areas share; each area's own schemas are in its `*.schemas.ts`. */

export const currencySchema = z
  .string()
  .refine((code) => isSupportedCurrency(code), 'must be an ISO 4217 currency code such as AED');

/** An amount stays a string here: the contract's parseAmount decides it, with the currency's decimals. */
export const amountSchema = z.string({ error: 'must be a decimal string such as "25.50"' }).max(40);

/** A client, sale, refund or payment id as the host system names it. */
export const externalIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1 to 128 letters, digits or . _ : @ -');

export const pageLimitSchema = z.coerce.number().int().min(1).max(pageSizeMax).default(pageSizeDefault);
