import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { externalIdSchema, pageLimitSchema } from '../http/request-schemas';

const clientName = z.string().trim().min(1).max(200);
const clientPhone = z.string().trim().min(3).max(40);
const clientEmail = z.email().max(200);
const clientExternalId = z.string().trim().min(1).max(128);

export class CreateClientDto extends createZodDto(
  z.strictObject({
    id: externalIdSchema.optional(),
    name: clientName,
    phone: clientPhone.optional(),
    email: clientEmail.optional(),
    externalId: clientExternalId.optional(),
  }),
) {}

/** An edit names only what changes; null clears an optional field. The id never changes: entries refer to it. */
export class UpdateClientDto extends createZodDto(
  z
    .strictObject({
      name: clientName.optional(),
      phone: clientPhone.nullable().optional(),
      email: clientEmail.nullable().optional(),
      externalId: clientExternalId.nullable().optional(),
    })
    .refine((body) => Object.values(body).some((value) => value !== undefined), 'name at least one of name, phone, email, externalId'),
) {}

export class SearchClientsDto extends createZodDto(
  z.strictObject({
    q: z.string().max(200).optional(),
    cursor: z.string().max(500).optional(),
    limit: pageLimitSchema,
  }),
) {}
