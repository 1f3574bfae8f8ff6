import { Body, Controller, Delete, Get, Ip, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireAnyPermission, RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { currencyParam } from '../balances/balances.schemas';
import { BonusRulesDto, CreditSettingsDto } from './settings.schemas';
import { SettingsService } from './settings.service';

@ApiTags('settings')
@ApiBearerAuth()
@Controller('api/settings')
export class SettingsController {
  constructor(private readonly settings: SettingsService) {}

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
