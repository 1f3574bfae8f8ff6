import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PayDto, RefundDto } from './checkout.schemas';
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
}
