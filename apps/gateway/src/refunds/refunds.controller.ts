import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { PaymentListQueryDto } from './refunds.schemas';
import { RefundsService } from './refunds.service';

/** What refunds may still return into balance (POST /api/refunds applies one: checkout.controller.ts). */
@ApiTags('checkout and refunds')
@ApiBearerAuth()
@Controller('api')
export class RefundsController {
  constructor(private readonly refunds: RefundsService) {}

  @Get('clients/:clientId/payments')
  @RequirePermission('refund.credit')
  @ApiOperation({ summary: 'The client’s balance payments and captures, newest first, keyset-paginated: applied, refunded, still refundable, when and who' })
  payments(@CurrentPrincipal() principal: Principal, @Param('clientId') clientId: string, @Query() query: PaymentListQueryDto) {
    return this.refunds.payments(principal, clientId, query);
  }

  @Get('sales/:saleId')
  @RequirePermission('refund.credit')
  @ApiOperation({ summary: 'A sale: its amount, paid by balance, refunded, still refundable into balance, and its balance payments' })
  sale(@CurrentPrincipal() principal: Principal, @Param('saleId') saleId: string) {
    return this.refunds.sale(principal, saleId);
  }
}
