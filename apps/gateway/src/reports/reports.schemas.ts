import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { currencySchema } from '../http/request-schemas';

const asOfMessage = 'asOf must be an ISO 8601 date (2026-11-30) or a date-time with its offset (2026-11-30T18:00:00Z)';

/**
 * `asOf`: a date is the end of that day in UTC (the report includes all of it); a date-time is that instant. Either is
 * later capped at now by the service (a report of the future would show breakage that has not happened).
 */
const asOfSchema = z
  .string()
  .max(40)
  .refine((value) => z.iso.date().safeParse(value).success || z.iso.datetime({ offset: true }).safeParse(value).success, asOfMessage)
  .refine((value) => !Number.isNaN(asOfInstant(value).getTime()), asOfMessage)
  // Nothing is older than the epoch; PostgreSQL has no year 0, which an earlier moment could name.
  .refine((value) => asOfInstant(value).getTime() >= 0, 'asOf must be 1970-01-01 or later')
  .optional();

export class LiabilityQueryDto extends createZodDto(
  z.strictObject({
    asOf: asOfSchema,
    currency: currencySchema.optional(),
  }),
) {}

const dayMs = 24 * 60 * 60 * 1000;

/** The instant an `asOf` names: a date-time as it is, a date at the last millisecond of that day (UTC). */
export function asOfInstant(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return new Date(Date.parse(`${value}T00:00:00.000Z`) + dayMs - 1);
  return new Date(value);
}
