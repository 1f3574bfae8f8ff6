import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { BalanceAddDto, BalanceChangeDto, currencyParam, HistoryQueryDto, ReverseEntryDto } from './balances.schemas';
import { BalancesService } from './balances.service';

@ApiTags('balances')
@ApiBearerAuth()
@Controller('api/clients/:clientId')
export class BalancesController {
  constructor(private readonly balances: BalancesService) {}

  @Get('balances')
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'The client’s balance in every currency, with has-balance' })
  all(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string) {
    return this.balances.all(principal, clientId);
  }

  @Get('balances/:currency')
  @RequirePermission('balance.view')
  async one(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Param('currency') currency: string) {
    return this.balances.one(principal, clientId, currencyParam(currency));
  }

  @Get('transactions')
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'The client’s ledger entries, newest first, keyset-paginated, filtered by type and date' })
  history(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Query() query: HistoryQueryDto) {
    return this.balances.history(principal, clientId, query);
  }

  @Post('balance/add')
  @RequirePermission('balance.add')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Add balance (entry balance_added; a lot expiring at expiresAt, if given; a payment may earn a bonus_credit)' })
  async add(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body() body: BalanceAddDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.balances.change('balance.add', principal, clientId, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('balance/deduct')
  @RequirePermission('balance.deduct')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Deduct balance (entry balance_deducted); never below zero' })
  async deduct(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body() body: BalanceChangeDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.balances.change('balance.deduct', principal, clientId, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('entries/:entryId/reverse')
  @RequirePermission('balance.reverse')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Reverse a staff add or deduct, once (entry balance_reversed); refused lot_consumed when the added credit was spent' })
  async reverse(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Param('entryId') entryId: string,
    @Body() body: ReverseEntryDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.balances.reverse(principal, clientId, entryId, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }
}
