import { bonusRulesRequestSchema, creditSettingsRequestSchema } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';

/** PUT /api/settings/bonus-rules/:currency: the contract's schema, which the web app's settings form validates with too. */
export class BonusRulesDto extends createZodDto(bonusRulesRequestSchema) {}

/** PUT /api/settings/credit. */
export class CreditSettingsDto extends createZodDto(creditSettingsRequestSchema) {}
