import { Injectable } from '@nestjs/common';
import { buildCommand, giftCardDisplayStatus, isGiftCardVoidable, type ErrorCode, type GiftCardListItem } from '@storecredit/contracts';
import { Clock } from '@storecredit/ledger';
import type { Principal } from '../auth/principal';
import { ClientsService } from '../clients/clients.service';
import { BusinessCurrenciesService } from '../settings/business-currencies.service';
import { AuditLog } from '../audit/audit.service';
import { CommandSubmitter, type Submitted } from '../commands/command-submitter';
import { ApiError } from '../http/api-error';
import { decodeCursor, pageOf, type Page } from '../http/pagination';
import { generateGiftCardCode } from './gift-card-codes';
import { GiftCardsRepository, type GiftCardRow } from './gift-cards.repository';
import type { IssueGiftCardsDto, ListGiftCardsDto, RedeemDto } from './gift-cards.schemas';
import { RedemptionThrottle, type FailedRedemptions } from './redemption-throttle';

/**
 * Rejections that count as a failed guess for throttling: only a code that matches no card. A redeemed, voided or
 * expired card's code is a real code (guessing one is as unlikely as guessing a live one), and counting it would let a
 * double-clicked or retried redemption lock its staff member out.
 */
const guessFailures: readonly string[] = ['gift_card_not_found'] satisfies ErrorCode[];

export type GiftCardIssue = Pick<IssueGiftCardsDto, 'amount' | 'currency' | 'expiresAt' | 'count'>;
export type GiftCardQuery = Pick<ListGiftCardsDto, 'status' | 'last4' | 'cursor' | 'limit'>;
export type Redemption = Pick<RedeemDto, 'code' | 'note'>;

/** What issuing answers: 201 when the ledger applied every card, 202 when any reply was late. */
export interface Issued {
  httpStatus: 201 | 202;
  body: { items: Record<string, unknown>[] };
}

/** Issuing, listing, voiding and redeeming gift cards; guessing codes is throttled (redemption-throttle.ts). */
@Injectable()
export class GiftCardsService {
  constructor(
    private readonly giftCards: GiftCardsRepository,
    private readonly clients: ClientsService,
    private readonly submitter: CommandSubmitter,
    private readonly throttle: RedemptionThrottle,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly currencies: BusinessCurrenciesService,
  ) {}

  /** Each card is a command of its own with a new code; the codes are in this answer only. */
  async issue(principal: Principal, issue: GiftCardIssue, idempotencyKey: string | undefined, address: string | null = null): Promise<Issued> {
    if (idempotencyKey !== undefined) {
      throw new ApiError('invalid_request', { header: 'Idempotency-Key' }, 'Issuing gift cards makes new codes each time; retry by listing cards instead');
    }
    await this.currencies.requireAccepted(principal, issue.currency);
    const cards: Record<string, unknown>[] = [];
    try {
      for (let i = 0; i < issue.count; i++) {
        const code = generateGiftCardCode();
        const command = buildCommand({
          type: 'giftcard.issue',
          ...this.submitter.headerFor(principal, undefined),
          code,
          amount: issue.amount,
          currency: issue.currency,
          ...(issue.expiresAt === undefined ? {} : { expiresAt: issue.expiresAt }),
        });
        const submitted = await this.submitter.submit(principal, command);
        cards.push({ code, ...submitted.body });
      }
    } finally {
      // The cards sent before a failure are issued (or will be) all the same: they are recorded, never their codes.
      if (cards.length > 0) await this.recordIssued(principal, issue, cards, address);
    }
    return { httpStatus: cards.every((card) => card.status === 'applied') ? 201 : 202, body: { items: cards } };
  }

  /** Cards newest first, keyset-paginated on (created_at, id); statuses as of one instant, the filter's too. */
  async list(principal: Principal, query: GiftCardQuery): Promise<Page<GiftCardListItem>> {
    const after = decodeCursor(query.cursor, ['timestamp', 'uuid']);
    const now = this.clock.now();
    const rows = await this.giftCards.cards(principal.businessId, { status: query.status, last4: query.last4 }, now, after, query.limit + 1);
    return pageOf(rows, query.limit, (row) => [new Date(row.created_at).toISOString(), row.id], (row) => listItem(row, now));
  }

  failedRedemptions(principal: Principal): Promise<FailedRedemptions> {
    return this.throttle.failedRedemptions(principal.businessId);
  }

  async void(principal: Principal, giftCardId: string, idempotencyKey: string | undefined, address: string | null = null): Promise<Submitted> {
    const command = buildCommand({
      type: 'giftcard.void',
      ...this.submitter.headerFor(principal, idempotencyKey),
      giftCardId,
    });
    const submitted = await this.submitter.submit(principal, command);
    await this.audit.record({
      action: 'gift_card_voided',
      businessId: principal.businessId,
      actor: principal,
      address,
      target: { kind: 'gift_card', id: giftCardId },
      details: { commandId: command.commandId, status: submitted.body.status },
    });
    return submitted;
  }

  private async recordIssued(principal: Principal, issue: GiftCardIssue, cards: readonly Record<string, unknown>[], address: string | null): Promise<void> {
    await this.audit.record({
      action: 'gift_cards_issued',
      businessId: principal.businessId,
      actor: principal,
      address,
      details: {
        amount: issue.amount,
        currency: issue.currency,
        expiresAt: issue.expiresAt ?? null,
        cards: cards.map((card) => ({
          commandId: card.commandId,
          status: card.status,
          giftCardId: (card.result as { giftCardId?: string } | undefined)?.giftCardId ?? null,
        })),
      },
    });
  }

  /**
   * Redeems a card into the client's balance in the card's currency. The attempt is counted before the code is
   * looked up and forgiven unless the code matched no card, so parallel guesses cannot pass the throttle together.
   */
  async redeem(principal: Principal, clientId: string, redemption: Redemption, idempotencyKey: string | undefined, address: string): Promise<Submitted> {
    const attempter = { principalId: `${principal.kind}:${principal.id}`, address };
    await this.clients.requireClient(principal, clientId);
    await this.throttle.reserveAttempt(principal.businessId, attempter);
    let guessFailed = true;
    try {
      const card = await this.giftCards.findCurrencyByCode(principal.businessId, redemption.code);
      if (!card) throw new ApiError('gift_card_not_found');
      const command = buildCommand({
        type: 'giftcard.redeem',
        ...this.submitter.headerFor(principal, idempotencyKey),
        clientId,
        currency: card.currency,
        code: redemption.code,
        ...(redemption.note === undefined ? {} : { note: redemption.note }),
      });
      const submitted = await this.submitter.submit(principal, command);
      guessFailed = false;
      return submitted;
    } catch (error) {
      guessFailed = error instanceof ApiError && guessFailures.includes(error.code);
      throw error;
    } finally {
      if (guessFailed) await this.throttle.recordFailedGuess(principal.businessId);
      else await this.throttle.forgiveAttempt(principal.businessId, attempter);
    }
  }
}

function listItem(row: GiftCardRow, now: Date): GiftCardListItem {
  const card = { status: row.status, expiresAt: row.expires_at };
  return {
    id: row.id,
    last4: row.last4,
    amount: row.amount,
    currency: row.currency,
    status: giftCardDisplayStatus(card, now),
    voidable: isGiftCardVoidable(card),
    expiresAt: row.expires_at && new Date(row.expires_at).toISOString(),
    redeemedAt: row.redeemed_at && new Date(row.redeemed_at).toISOString(),
    redeemedClientId: row.redeemed_client_id,
    voidedAt: row.voided_at && new Date(row.voided_at).toISOString(),
    issuedAt: new Date(row.created_at).toISOString(),
  };
}
