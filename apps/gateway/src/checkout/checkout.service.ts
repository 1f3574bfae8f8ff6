import { Injectable } from '@nestjs/common';
import { buildCommand, type CommandInput } from '@storecredit/contracts';
import { z } from 'zod';
import type { Principal } from '../auth/principal';
import { clientNotFound, ClientsService } from '../clients/clients.service';
import { CommandSubmitter, type Submitted } from '../commands/command-submitter';
import { ApiError } from '../http/api-error';
import type { CaptureDto, HoldDto, PayDto, RefundDto, ReleaseDto } from './checkout.schemas';
import { HoldsRepository, type HoldRow } from './holds.repository';

export type Payment = Pick<PayDto, 'clientId' | 'currency' | 'saleId' | 'amountOwed' | 'amountRequested' | 'saleAmount' | 'note'>;
export type Hold = Pick<HoldDto, 'clientId' | 'currency' | 'saleId' | 'amountOwed' | 'amountRequested' | 'saleAmount' | 'expiresInSeconds' | 'note'>;
export type Capture = Pick<CaptureDto, 'amount' | 'note'>;
export type Release = Pick<ReleaseDto, 'note'>;
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
    private readonly holdRows: HoldsRepository,
  ) {}

  /** Reserves balance for a sale (split-tender checkout); how much is held is the ledger's decision. */
  async hold(principal: Principal, hold: Hold, idempotencyKey: string | undefined): Promise<Submitted> {
    const command = buildCommand({
      type: 'balance.hold',
      ...this.submitter.headerFor(principal, idempotencyKey),
      ...hold,
    });
    return this.submitForClient(principal, command, hold.clientId);
  }

  /** Captures a hold of this business; the ledger decides whether it still can be (active, not expired, amount). */
  capture(principal: Principal, holdId: string, capture: Capture, idempotencyKey: string | undefined): Promise<Submitted> {
    return this.endHold('balance.capture', principal, holdId, capture, idempotencyKey);
  }

  release(principal: Principal, holdId: string, release: Release, idempotencyKey: string | undefined): Promise<Submitted> {
    return this.endHold('balance.release', principal, holdId, release, idempotencyKey);
  }

  /** The client's holds, newest first (of one status, when asked). */
  async holds(principal: Principal, clientId: string, status?: HoldRow['status']): Promise<{ clientId: string; items: ReturnType<typeof holdView>[] }> {
    const rows = await this.holdRows.ofClient(principal.businessId, clientId, status);
    if (rows === null) throw clientNotFound();
    return { clientId, items: rows.map(holdView) };
  }

  /** Ends a hold in its own wallet, whoever the request names. */
  private async endHold(
    type: 'balance.capture' | 'balance.release',
    principal: Principal,
    holdId: string,
    fields: Capture | Release,
    idempotencyKey: string | undefined,
  ): Promise<Submitted> {
    const hold = await this.requireHold(principal, holdId);
    const command = buildCommand({
      type,
      ...this.submitter.headerFor(principal, idempotencyKey),
      clientId: hold.client_id,
      currency: hold.currency,
      holdId: hold.hold_id,
      ...fields,
    } as CommandInput);
    return this.submitter.submit(principal, command);
  }

  /** A hold id that is not a UUID, or a hold of another business, is not found: never a 500, never another's hold. */
  private async requireHold(principal: Principal, holdId: string): Promise<HoldRow> {
    const hold = z.uuid().safeParse(holdId).success ? await this.holdRows.find(principal.businessId, holdId) : null;
    if (!hold) throw new ApiError('hold_not_found', { holdId });
    return hold;
  }

  async pay(principal: Principal, payment: Payment, idempotencyKey: string | undefined): Promise<Submitted> {
    const command = buildCommand({
      type: 'balance.pay',
      ...this.submitter.headerFor(principal, idempotencyKey),
      ...payment,
    });
    return this.submitForClient(principal, command, payment.clientId);
  }

  async refund(principal: Principal, refund: Refund, idempotencyKey: string | undefined): Promise<Submitted> {
    const command = buildCommand({
      type: 'balance.refund',
      ...this.submitter.headerFor(principal, idempotencyKey),
      ...refund,
    });
    return this.submitForClient(principal, command, refund.clientId);
  }

  private async submitForClient(principal: Principal, command: Parameters<CommandSubmitter['submit']>[1], clientId: string): Promise<Submitted> {
    await this.clients.requireClient(principal, clientId);
    return this.submitter.submit(principal, command);
  }
}

function holdView(row: HoldRow) {
  return {
    holdId: row.hold_id,
    saleId: row.sale_id,
    currency: row.currency,
    amount: row.amount,
    captured: row.captured,
    status: row.status,
    expiresAt: new Date(row.expires_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
  };
}
