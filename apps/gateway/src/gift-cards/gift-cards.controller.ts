import { Body, Controller, Get, Headers, Ip, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { IssueGiftCardsDto, ListGiftCardsDto, RedeemDto } from './gift-cards.schemas';
import { GiftCardsService } from './gift-cards.service';

@ApiTags('gift cards')
@ApiBearerAuth()
@Controller('api')
export class GiftCardsController {
  constructor(private readonly giftCards: GiftCardsService) {}

  @Post('gift-cards')
  @RequirePermission('giftcard.manage')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Issue one or more gift cards; each code is shown in this answer only' })
  async issue(
    @CurrentPrincipal() principal: Principal,
    @Body() body: IssueGiftCardsDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Ip() address: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const issued = await this.giftCards.issue(principal, body, idempotencyKey, address);
    void reply.status(issued.httpStatus);
    return issued.body;
  }

  @Get('gift-cards')
  @RequirePermission('giftcard.manage')
  @ApiOperation({ summary: 'Gift cards with their status (active, redeemed, expired, void) and whether each can be voided; search by last four characters' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListGiftCardsDto) {
    return this.giftCards.list(principal, query);
  }

  @Get('gift-cards/failed-redemptions')
  @RequirePermission('giftcard.manage')
  @ApiOperation({ summary: 'Failed gift card redemptions in the business in the current 15-minute window, and whether it is under attack' })
  failedRedemptions(@CurrentPrincipal() principal: Principal) {
    return this.giftCards.failedRedemptions(principal);
  }

  @Post('gift-cards/:id/void')
  @RequirePermission('giftcard.manage')
  async void(
    @CurrentPrincipal() principal: Principal,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Ip() address: string,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.giftCards.void(principal, id, idempotencyKey, address);
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
    const submitted = await this.giftCards.redeem(principal, clientId, body, idempotencyKey, address);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }
}
