import { bonusRulesRequestSchema, creditSettingsRequestSchema, currencySettingsRequestSchema } from '@storecredit/contracts';
import { createZodDto } from 'nestjs-zod';

/** PUT /api/settings/bonus-rules/:currency: the contract's schema, which the web app's settings form validates with too. */
export class BonusRulesDto extends createZodDto(bonusRulesRequestSchema) {}

/** PUT /api/settings/credit. */
export class CreditSettingsDto extends createZodDto(creditSettingsRequestSchema) {}

/** PUT /api/settings/currencies: each refused rule answers its own code (currency_not_supported, default_not_accepted, accepted_empty). */
export class CurrencySettingsDto extends createZodDto(currencySettingsRequestSchema) {}
