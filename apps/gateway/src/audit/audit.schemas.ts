import { auditActions } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { pageLimitSchema } from '../http/request-schemas';

const instant = z.iso.datetime({ offset: true }).refine((value) => Date.parse(value) >= 0, 'must be 1970-01-01 or later');

export class AuditQueryDto extends createZodDto(
  z.strictObject({
    action: z.enum(auditActions).optional(),
    actorId: z.string().min(1).max(128).optional(),
    targetId: z.string().min(1).max(128).optional(),
    from: instant.optional(),
    to: instant.optional(),
    cursor: z.string().max(512).optional(),
    limit: pageLimitSchema,
  }),
) {}
