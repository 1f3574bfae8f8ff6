import { Body, Controller, Delete, Get, Ip, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireAnyPermission, RequirePermission, RequireSignIn } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { currencyParam } from '../balances/balances.schemas';
import { BusinessCurrenciesService } from './business-currencies.service';
import { BonusRulesDto, CreditSettingsDto, CurrencySettingsDto } from './settings.schemas';
import { SettingsService } from './settings.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/settings')
export class SettingsController {
  constructor(
    private readonly settings: SettingsService,
    private readonly currencies: BusinessCurrenciesService,
  ) {}

  /** Every screen offers the business's currencies, so any signed-in member or key of the business may read them. */
  @Get('currencies')
  @RequireSignIn()
  @ApiOperation({ summary: 'The business’s default currency and the currencies it accepts for new credit (chosen: false until it sets them)' })
  currencySettings(@CurrentPrincipal() principal: Principal) {
    return this.currencies.read(principal);
  }

  @Put('currencies')
  @RequirePermission('settings.manage')
  @ApiOperation({
    summary: 'Set the default currency and the accepted list; a currency taken off the list keeps its wallets: they stay visible and spendable, only new credit in it is refused',
  })
  putCurrencySettings(@CurrentPrincipal() principal: Principal, @Body() body: CurrencySettingsDto, @Ip() address: string) {
    return this.currencies.put(principal, body, address);
  }

  /**
   * Read by whoever may change the rules and by whoever takes a paid top-up (balance.add): the front desk tells a
   * client what a top-up earns, and its add dialog shows the bonus before it is sent. Changing them is settings.manage.
   */
  @Get('bonus-rules')
  @RequireAnyPermission('settings.manage', 'balance.add')
  @ApiOperation({ summary: 'The business’s bonus tiers, per currency' })
  bonusRules(@CurrentPrincipal() principal: Principal) {
    return this.settings.bonusRules(principal);
  }

  @Put('bonus-rules/:currency')
  @RequirePermission('settings.manage')
  @ApiOperation({ summary: 'Set the bonus tiers of one currency (tiers [] ends the bonus); the rule’s version goes up by one' })
  putBonusRules(@CurrentPrincipal() principal: Principal, @Param('currency') currency: string, @Body() body: BonusRulesDto, @Ip() address: string) {
    return this.settings.putBonusRules(principal, currencyParam(currency), body, address);
  }

  @Delete('bonus-rules/:currency')
  @RequirePermission('settings.manage')
  @ApiOperation({ summary: 'End the bonus of one currency (as PUT with tiers [])' })
  clearBonusRules(@CurrentPrincipal() principal: Principal, @Param('currency') currency: string, @Ip() address: string) {
    return this.settings.clearBonusRules(principal, currencyParam(currency), address);
  }

  @Get('credit')
  @RequirePermission('settings.manage')
  @ApiOperation({ summary: 'The business’s credit settings (refund grace days)' })
  credit(@CurrentPrincipal() principal: Principal) {
    return this.settings.creditSettings(principal);
  }

  @Put('credit')
  @RequirePermission('settings.manage')
  @ApiOperation({ summary: 'Set how many days credit given back after its expiry lasts (refunds and reversals)' })
  putCredit(@CurrentPrincipal() principal: Principal, @Body() body: CreditSettingsDto, @Ip() address: string) {
    return this.settings.putCreditSettings(principal, body.refundGraceDays, address);
  }
}
