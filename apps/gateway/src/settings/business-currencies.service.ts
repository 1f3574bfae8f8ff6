import { Injectable } from '@nestjs/common';
import {
  acceptsNewCredit,
  businessCurrenciesUnchosen,
  currencySettingsProblems,
  normalizedCurrencies,
  type BusinessCurrencies,
  type BusinessCurrenciesView,
} from '@storecredit/contracts';
import { AuditLog } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { BusinessCurrenciesRepository, type BusinessCurrenciesRow } from './business-currencies.repository';

/**
 * The business's default and accepted currencies, and the gate for new credit: a top-up, a gift card or a bonus rule
 * in a currency the business does not accept is refused (currency_not_accepted). Nothing that moves money a client
 * already holds asks here (deduct, pay, refund, reverse, redeem a card issued before).
 */
@Injectable()
export class BusinessCurrenciesService {
  constructor(
    private readonly repository: BusinessCurrenciesRepository,
    private readonly audit: AuditLog,
  ) {}

  async read(principal: Principal): Promise<BusinessCurrenciesView> {
    return viewOf(await this.repository.find(principal.businessId));
  }

  /** The request schema checked the rules already; they are checked again here, where they are decided for the row. */
  async put(principal: Principal, change: BusinessCurrencies, address: string | null = null): Promise<BusinessCurrenciesView> {
    const [problem] = currencySettingsProblems(change);
    if (problem !== undefined) throw new ApiError(problem.code, { issues: [{ path: problem.path.join('.'), message: problem.message }] }, problem.message);
    const settings = normalizedCurrencies(change);
    const { before, after } = await this.repository.put(principal.businessId, settings.defaultCurrency, settings.accepted, `${principal.kind}:${principal.id}`);
    const beforeView = viewOf(before);
    await this.audit.record({
      action: 'currencies_changed',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'settings', id: 'currencies' },
      details: {
        before: beforeView.chosen ? { defaultCurrency: beforeView.defaultCurrency, accepted: beforeView.accepted } : null,
        after: settings,
      },
    });
    return viewOf(after);
  }

  /** Refuses new credit in a currency the business does not accept. */
  async requireAccepted(principal: Principal, currency: string): Promise<void> {
    const settings = await this.read(principal);
    if (!acceptsNewCredit(settings, currency)) {
      throw new ApiError(
        'currency_not_accepted',
        { currency, accepted: settings.accepted },
        `The business does not accept ${currency} for new credit; it accepts ${settings.accepted.join(', ')}`,
      );
    }
  }
}

function viewOf(row: BusinessCurrenciesRow | null): BusinessCurrenciesView {
  if (row === null) return { ...businessCurrenciesUnchosen, accepted: [...businessCurrenciesUnchosen.accepted] };
  return { defaultCurrency: row.default_currency, accepted: row.accepted, chosen: true };
}
