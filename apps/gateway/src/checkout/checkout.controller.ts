import { Body, Controller, Headers, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { buildCommand } from '@storecredit/contracts';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { actorOf, CurrentPrincipal, type Principal } from '../auth/principal';
import { ClientsRepository } from '../clients/clients.repository';
import { CommandSubmitter } from '../commands/command-submitter';
import { ApiError } from '../http/api-error';
import { PayDto, RefundDto } from './checkout.schemas';

@ApiTags('checkout and refunds')
@ApiBearerAuth()
@Controller('api')
export class CheckoutController {
  constructor(
    private readonly clients: ClientsRepository,
    private readonly submitter: CommandSubmitter,
  ) {}

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
    const command = buildCommand({
      type: 'balance.pay',
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      actor: actorOf(principal),
      ...body,
    });
    return this.submit(principal, command, body.clientId, reply);
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
    const command = buildCommand({
      type: 'balance.refund',
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      actor: actorOf(principal),
      ...body,
    });
    return this.submit(principal, command, body.clientId, reply);
  }

  private async submit(principal: Principal, command: Parameters<CommandSubmitter['submit']>[1], clientId: string, reply: FastifyReply) {
    if (!(await this.clients.exists(principal.businessId, clientId))) throw new ApiError('not_found', undefined, 'Client not found');
    const submitted = await this.submitter.submit(principal, command);
    void reply.status(submitted.httpStatus);
    return submitted.body;
  }
}
