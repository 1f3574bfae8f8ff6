import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildCommand, formatAmount } from '@storecredit/contracts';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { actorOf, CurrentPrincipal, type Principal } from '../auth/principal';
import { ClientsRepository } from '../clients/clients.repository';
import { CommandSubmitter } from '../commands/command-submitter';
import { ApiError } from '../http/api-error';
import { BalancesRepository } from './balances.repository';
import { BalanceChangeDto, currencyParam, HistoryQueryDto } from './balances.schemas';

@ApiTags('balances')
@ApiBearerAuth()
@Controller('api/clients/:clientId')
export class BalancesController {
  constructor(
    private readonly balances: BalancesRepository,
    private readonly clients: ClientsRepository,
    private readonly submitter: CommandSubmitter,
  ) {}

  @Get('balances')
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'The client’s balance in every currency, with has-balance' })
  async all(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string) {
    const items = await this.balances.balances(principal.businessId, clientId);
    if (items === null) throw clientNotFound();
    return { clientId, items };
  }

  @Get('balances/:currency')
  @RequirePermission('balance.view')
  async one(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Param('currency') currency: string) {
    const wallets = await this.balances.balances(principal.businessId, clientId, currencyParam(currency));
    if (wallets === null) throw clientNotFound();
    const [wallet] = wallets;
    return wallet ?? { walletId: null, currency, balance: formatAmount(0, currency), hasBalance: false, updatedAt: null };
  }

  @Get('transactions')
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'The client’s ledger entries, newest first, keyset-paginated, filtered by type and date' })
  async history(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Query() query: HistoryQueryDto) {
    const filter = {
      currency: query.currency,
      types: query.type,
      from: query.from === undefined ? undefined : new Date(query.from),
      to: query.to === undefined ? undefined : new Date(query.to),
    };
    const page = await this.balances.history(principal.businessId, clientId, filter, query.cursor, query.limit);
    if (page === null) throw clientNotFound();
    return page;
  }

  @Post('balance/add')
  @RequirePermission('balance.add')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Add balance (entry balance_added)' })
  add(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body() body: BalanceChangeDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change('balance.add', principal, clientId, body, idempotencyKey, reply);
  }

  @Post('balance/deduct')
  @RequirePermission('balance.deduct')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Deduct balance (entry balance_deducted); never below zero' })
  deduct(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body() body: BalanceChangeDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    return this.change('balance.deduct', principal, clientId, body, idempotencyKey, reply);
  }

  private async change(
    type: 'balance.add' | 'balance.deduct',
    principal: Principal,
    clientId: string,
    body: BalanceChangeDto,
    idempotencyKey: string | undefined,
    reply: FastifyReply,
  ) {
    const command = buildCommand({
      type,
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      clientId,
      currency: body.currency,
      actor: actorOf(principal),
      amount: body.amount,
      ...(body.note === undefined ? {} : { note: body.note }),
      reference: body.referenceId === undefined ? { type: body.referenceType } : { type: body.referenceType, id: body.referenceId },
    });
    await this.requireClient(principal, clientId);
    const submitted = await this.submitter.submit(principal, command);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  private async requireClient(principal: Principal, clientId: string): Promise<void> {
    if (!(await this.clients.exists(principal.businessId, clientId))) throw clientNotFound();
  }
}

function clientNotFound(): ApiError {
  return new ApiError('not_found', undefined, 'Client not found');
}
