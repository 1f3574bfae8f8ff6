import { createClientRequestSchema, updateClientRequestSchema } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageLimitSchema } from '../http/request-schemas';

/** The web app's form validates with the same schema (libs/contracts/src/requests.ts). */
export class CreateClientDto extends createZodDto(createClientRequestSchema) {}

/** An edit names only what changes; null clears an optional field. The id never changes: entries refer to it. */
export class UpdateClientDto extends createZodDto(updateClientRequestSchema) {}

export class SearchClientsDto extends createZodDto(
  z.strictObject({
    q: z.string().max(200).optional(),
    cursor: z.string().max(500).optional(),
    limit: pageLimitSchema,
  }),
) {}
