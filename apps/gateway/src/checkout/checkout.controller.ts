import { Body, Controller, Get, Headers, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CaptureDto, HoldDto, HoldListQueryDto, PayDto, RefundDto, ReleaseDto } from './checkout.schemas';
import { CheckoutService } from './checkout.service';

@ApiTags('checkout and refunds')
@ApiBearerAuth()
@Controller('api')
export class CheckoutController {
  constructor(private readonly checkout: CheckoutService) {}

  @Post('checkout/payments')
  @RequirePermission('checkout.pay')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: "Pay part or all of a sale with balance: applies min(balance, owed, requested, what the sale's amount leaves)" })
  async pay(
    @CurrentPrincipal() principal: Principal,
    @Body() body: PayDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.checkout.pay(principal, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('refunds')
  @RequirePermission('refund.credit')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: "Credit a refund to balance, once per refundId: of a balance payment (capped by it) or of a sale (saleId + saleAmount; refunds capped by the sale's amount)" })
  async refund(
    @CurrentPrincipal() principal: Principal,
    @Body() body: RefundDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.checkout.refund(principal, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('checkout/holds')
  @RequirePermission('checkout.pay')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Hold balance for a sale (split tender): min(available, owed, requested, what the sale leaves), until captured, released or expired' })
  async hold(
    @CurrentPrincipal() principal: Principal,
    @Body() body: HoldDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.checkout.hold(principal, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('checkout/holds/:holdId/capture')
  @RequirePermission('checkout.pay')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Capture a hold (all, or amount ≤ held) as a payment; the rest is released' })
  async capture(
    @CurrentPrincipal() principal: Principal,
    @Param('holdId') holdId: string,
    @Body() body: CaptureDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.checkout.capture(principal, holdId, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Post('checkout/holds/:holdId/release')
  @RequirePermission('checkout.pay')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({ summary: 'Release a hold: what it held is available again' })
  async release(
    @CurrentPrincipal() principal: Principal,
    @Param('holdId') holdId: string,
    @Body() body: ReleaseDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const submitted = await this.checkout.release(principal, holdId, body, idempotencyKey);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }

  @Get('clients/:clientId/holds')
  @RequirePermission('checkout.pay')
  @ApiOperation({ summary: 'The client’s holds, newest first (status=active|captured|released|expired)' })
  holds(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Query() query: HoldListQueryDto) {
    return this.checkout.holds(principal, clientId, query.status);
  }
}
