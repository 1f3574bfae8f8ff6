import { Decimal, formatAmount, type LotSource } from '@storecredit/contracts';
import type { TestDatabase } from '@storecredit/testing';
import { randomUUID } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

/**
 * Ledger data with credit lots, written straight to the tables (as the ledger's handlers would write it), for the
 * reports' suites: the ledger core that writes lots is built separately, and a report must be checked against figures
 * worked out by hand. Every step is one entry; a credit makes one lot, a debit draws from the lots it names.
 */
export type CreditStep =
  | { at: string; type: 'balance_added' | 'balance_credit' | 'gift_card_redeemed' | 'refund_credit' | 'bonus_credit'; amount: string; lot: string; source: LotSource; expiresAt?: string; note?: string; referenceId?: string }
  | { at: string; type: 'used_for_payment' | 'balance_deducted' | 'balance_debit' | 'balance_expired' | 'balance_reversed'; draws: Record<string, string>; note?: string; referenceId?: string };

export interface WalletScript {
  businessId: string;
  clientId: string;
  currency: string;
  steps: CreditStep[];
}

const referenceTypeOf: Record<CreditStep['type'], string> = {
  balance_added: 'manual',
  balance_credit: 'adjustment',
  gift_card_redeemed: 'manual',
  refund_credit: 'refund',
  bonus_credit: 'entry',
  used_for_payment: 'payment',
  balance_deducted: 'manual',
  balance_debit: 'adjustment',
  balance_expired: 'lot',
  balance_reversed: 'entry',
};

/** Writes the client (if new), the wallet, its entries, lots and allocations; returns each lot's id by its script name. */
export async function writeWallet(db: TestDatabase, script: WalletScript): Promise<Map<string, string>> {
  const { businessId, clientId, currency } = script;
  const walletId = uuidv7();
  const lots = new Map<string, { id: string; amount: number; left: number }>();
  // Thousandths as integers keep the script's arithmetic exact (no currency has more than 3 decimals).
  const units = (amount: string) => new Decimal(amount).times(1000).toNumber();
  const text = (milli: number) => formatAmount(new Decimal(milli).dividedBy(1000), currency);
  await db.query(`insert into client (business_id, id, name) values ($1, $2, $3) on conflict do nothing`, [businessId, clientId, `Client ${clientId}`]);
  let balance = 0;
  let sequence = 0;
  let lastEntryId: string | null = null;
  const entries: unknown[][] = [];
  const lotRows: unknown[][] = [];
  const allocations: unknown[][] = [];
  for (const step of script.steps) {
    const entryId = uuidv7();
    sequence += 1;
    let amount: number;
    if ('lot' in step) {
      amount = units(step.amount);
      const lot = { id: uuidv7(), amount, left: amount };
      lots.set(step.lot, lot);
      lotRows.push([step.source, lot.id, text(amount), step.expiresAt ?? null, entryId, step.type === 'bonus_credit' ? lastEntryId : null, step.at]);
    } else {
      amount = 0;
      let position = 0;
      for (const [name, drawn] of Object.entries(step.draws)) {
        const lot = lots.get(name);
        if (!lot) throw new Error(`no lot ${name}`);
        lot.left -= units(drawn);
        if (lot.left < 0) throw new Error(`lot ${name} overdrawn`);
        amount -= units(drawn);
        position += 1;
        allocations.push([entryId, position, lot.id, lotRows.find((row) => row[1] === lot.id)?.[0], step.type, text(units(drawn)), step.at]);
      }
    }
    balance += amount;
    if (balance < 0) throw new Error('balance below zero');
    entries.push([entryId, sequence, step.type, text(amount), text(balance), referenceTypeOf[step.type], step.referenceId ?? null, step.note ?? null, step.at, step.type === 'bonus_credit' ? '{"minAmount":"100","percent":"20"}' : null, step.type === 'balance_reversed' ? lastEntryId : null]);
    lastEntryId = entryId;
  }
  const last = script.steps[script.steps.length - 1]?.at ?? new Date().toISOString();
  await db.query(
    `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, created_at, updated_at) values ($1, $2, $3, $4, $5, $6, $7, $7)`,
    [businessId, walletId, clientId, currency, text(balance), sequence, last],
  );
  for (const [id, seq, type, amount, after, referenceType, referenceId, note, at, bonusTier, reverses] of entries) {
    await db.query(
      `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after, reference_type,
         reference_id, note, actor, command_id, created_at, bonus_tier, reverses_entry_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'staff:demo-seed', $13, $14, $15, $16)`,
      [businessId, id, walletId, clientId, currency, seq, type, amount, after, referenceType, referenceId, note, `cmd-${randomUUID()}`, at, bonusTier, reverses],
    );
  }
  for (const [source, id, amount, expiresAt, entryId, bonusFor, at] of lotRows) {
    const left = [...lots.values()].find((lot) => lot.id === id)?.left ?? 0;
    await db.query(
      `insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at, entry_id, bonus_for_entry_id, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [businessId, id, walletId, clientId, currency, source, amount, text(left), expiresAt, entryId, bonusFor, at],
    );
  }
  for (const [entryId, position, lotId, source, type, amount, at] of allocations) {
    await db.query(
      `insert into lot_allocation (business_id, entry_id, position, lot_id, wallet_id, currency, source, entry_type, amount, created_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [businessId, entryId, position, lotId, walletId, currency, source, type, amount, at],
    );
  }
  return new Map([...lots].map(([name, lot]) => [name, lot.id]));
}

export interface GiftCardRow {
  amount: string;
  currency: string;
  createdAt: string;
  status: 'active' | 'redeemed' | 'void';
  redeemedAt?: string;
  voidedAt?: string;
  expiresAt?: string;
}

export async function writeGiftCard(db: TestDatabase, businessId: string, card: GiftCardRow): Promise<void> {
  const id = uuidv7();
  await db.query(
    `insert into gift_card (business_id, id, code_hash, last4, amount, currency, status, expires_at, redeemed_client_id, redeemed_at, voided_at, issued_by, created_at)
     values ($1, $2, $3, 'ABCD', $4, $5, $6, $7, $8, $9, $10, 'staff:demo-seed', $11)`,
    [businessId, id, `hash-${id}`, card.amount, card.currency, card.status, card.expiresAt ?? null, card.redeemedAt ? 'someone' : null, card.redeemedAt ?? null, card.voidedAt ?? null, card.createdAt],
  );
}
