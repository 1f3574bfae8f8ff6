import { Injectable } from '@nestjs/common';
import { buildCommand } from '@storecredit/contracts';
import { actorOf, type Principal } from '../auth/principal';
import { ClientsService } from '../clients/clients.service';
import { CommandSubmitter, type Submitted } from '../commands/command-submitter';
import type { PayDto, RefundDto } from './checkout.schemas';

export type Payment = Pick<PayDto, 'clientId' | 'currency' | 'saleId' | 'amountOwed' | 'amountRequested' | 'saleAmount' | 'note'>;
export type Refund = Pick<RefundDto, 'clientId' | 'currency' | 'refundId' | 'amount' | 'paymentCommandId' | 'saleId' | 'saleAmount' | 'note'>;

/**
 * Paying with balance at checkout and crediting refunds back. How much applies is the ledger's decision
 * (libs/ledger's sale-rules.ts); the gateway builds the command and refuses a client the business does not have.
 */
@Injectable()
export class CheckoutService {
  constructor(
    private readonly clients: ClientsService,
    private readonly submitter: CommandSubmitter,
  ) {}

  async pay(principal: Principal, payment: Payment, idempotencyKey: string | undefined): Promise<Submitted> {
    const command = buildCommand({
      type: 'balance.pay',
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      actor: actorOf(principal),
      ...payment,
    });
    return this.submitForClient(principal, command, payment.clientId);
  }

  async refund(principal: Principal, refund: Refund, idempotencyKey: string | undefined): Promise<Submitted> {
    const command = buildCommand({
      type: 'balance.refund',
      commandId: this.submitter.commandIdFor(principal, idempotencyKey),
      businessId: principal.businessId,
      actor: actorOf(principal),
      ...refund,
    });
    return this.submitForClient(principal, command, refund.clientId);
  }

  private async submitForClient(principal: Principal, command: Parameters<CommandSubmitter['submit']>[1], clientId: string): Promise<Submitted> {
    await this.clients.requireClient(principal, clientId);
    return this.submitter.submit(principal, command);
  }
}
