import { Body, Controller, Get, Headers, Ip, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildCommand, type ErrorCode } from '@storecredit/contracts';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { actorOf, CurrentPrincipal, type Principal } from '../auth/principal';
import { ClientsRepository } from '../clients/clients.repository';
import { CommandSubmitter } from '../commands/command-submitter';
import { ApiError } from '../http/api-error';
import { generateGiftCardCode } from './gift-card-codes';
import { GiftCardsRepository } from './gift-cards.repository';
import { RedemptionThrottle } from './redemption-throttle';
import { IssueGiftCardsDto, ListGiftCardsDto, RedeemDto } from './gift-cards.schemas';

/**
 * Rejections that count as a failed guess for throttling: only a code that matches no card. A redeemed, voided or
 * expired card's code is a real code (guessing one is as unlikely as guessing a live one), and counting it would let a
 * double-clicked or retried redemption lock its staff member out.
 */
const guessFailures: readonly string[] = ['gift_card_not_found'] satisfies ErrorCode[];

@ApiTags('gift cards')
@ApiBearerAuth()
@Controller('api')
export class GiftCardsController {
  constructor(
    private readonly giftCards: GiftCardsRepository,
    private readonly clients: ClientsRepository,
    private readonly submitter: CommandSubmitter,
    private readonly throttle: RedemptionThrottle,
  ) {}

  @Post('gift-cards')
  @RequirePermission('giftcard.manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Issue one or more gift cards; each code is shown in this answer only' })
  async issue(
    @CurrentPrincipal() principal: Principal,
    @Body() body: IssueGiftCardsDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (idempotencyKey !== undefined) {
      throw new ApiError('invalid_request', { header: 'Idempotency-Key' }, 'Issuing gift cards makes new codes each time; retry by listing cards instead');
    }
    const cards: Record<string, unknown>[] = [];
    for (let i = 0; i < body.count; i++) {
      const code = generateGiftCardCode();
      const command = buildCommand({
        type: 'giftcard.issue',
        commandId: this.submitter.commandIdFor(principal, undefined),
        businessId: principal.businessId,
        actor: actorOf(principal),
        code,
        amount: body.amount,
        currency: body.currency,
        ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
      });
      const submitted = await this.submitter.submit(principal, command);
      cards.push({ code, ...submitted.body });
    }
    void reply.status(cards.every((card) => card.status === 'applied') ? 201 : 202);
    return { items: cards };
  }

  @Get('gift-cards')
  @RequirePermission('giftcard.manage')
  @ApiOperation({ summary: 'Gift cards with their status (active, redeemed, expired, void) and whether each can be voided; search by last four characters' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListGiftCardsDto) {
    return this.giftCards.list(principal.businessId, { status: query.status, last4: query.last4 }, query.cursor, query.limit);
  }

  @Get('gift-cards/failed-redemptions')
  @RequirePermission('giftcard.manage')
  @ApiOperation({ summary: 'Failed gift card redemptions in the business in the current 15-minute window, and whether it is under attack' })
  failedRedemptions(@CurrentPrincipal() principal: Principal) {
    return this.throttle.failedRedemptions(principal.businessId);
  }

  @Post('gift-cards/:id/void')
  @RequirePermission('giftcard.manage')
  async void(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const command = buildCommand({
      type: 'giftcard.void',
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      actor: actorOf(principal),
      giftCardId: id,
    });
    const submitted = await this.submitter.submit(principal, command);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('clients/:clientId/gift-card-redemptions')
  @RequirePermission('giftcard.redeem')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Redeem a gift card into the client’s balance; repeated failures are throttled (429)' })
  async redeem(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Body() body: RedeemDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Ip() address: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const attempter = { principalId: `${principal.kind}:${principal.id}`, address };
    if (!(await this.clients.exists(principal.businessId, clientId))) throw new ApiError('not_found', undefined, 'Client not found');
    await this.throttle.reserveAttempt(principal.businessId, attempter);
    let guessFailed = true;
    try {
      const card = await this.giftCards.findCurrencyByCode(principal.businessId, body.code);
      if (!card) throw new ApiError('gift_card_not_found');
      const command = buildCommand({
        type: 'giftcard.redeem',
        commandId: this.submitter.commandIdFor(principal, idempotencyKey),
        businessId: principal.businessId,
        clientId,
        currency: card.currency,
        actor: actorOf(principal),
        code: body.code,
        ...(body.note === undefined ? {} : { note: body.note }),
      });
      const submitted = await this.submitter.submit(principal, command);
      guessFailed = false;
      void reply.status(submitted.httpStatus);
      return submitted.body;
    } catch (error) {
      guessFailed = error instanceof ApiError && guessFailures.includes(error.code);
      throw error;
    } finally {
      if (guessFailed) await this.throttle.recordFailedGuess(principal.businessId);
      else await this.throttle.forgiveAttempt(principal.businessId, attempter);
    }
  }
}
