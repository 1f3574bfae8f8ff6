import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { BenchDatabase } from './infra';

export const benchCurrency = 'AED';
export const seedActor = 'service:bench-seed';

/**
 * Opens `count` wallets (clients `${clientPrefix}1..count`) holding `balance` each, the way the ledger would
 * have: one balance_added entry per wallet with sequence 1, so the wallet still equals the sum of its entries.
 * Seeding by SQL keeps the measured run about balance changes, not about opening wallets.
 */
export async function seedWallets(db: BenchDatabase, businessId: string, clientPrefix: string, count: number, balance: string): Promise<void> {
  await db.transaction(async (client) => {
    await client.query(
      `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
       select $1, gen_random_uuid(), $2 || g, $3, $4::numeric, 1, 1, now(), now() from generate_series(1, $5) g`,
      [businessId, clientPrefix, benchCurrency, balance, count],
    );
    await client.query(
      `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
                                 reference_type, reference_id, note, actor, command_id, created_at)
       select business_id, gen_random_uuid(), id, client_id, currency, 1, 'balance_added', balance, balance,
              'manual', null, 'bench seed', $3, 'seed-' || client_id, now()
       from wallet where business_id = $1 and client_id like $2 || '%'`,
      [businessId, clientPrefix, seedActor],
    );
    // Each seeded credit is a lot, as the ledger would have made it (balance = Σ remaining).
    await client.query(
      `insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at, entry_id,
                               version, created_at)
       select business_id, gen_random_uuid(), wallet_id, client_id, currency, 'adjustment', amount, amount, null, id, 1, now()
       from ledger_entry where business_id = $1 and client_id like $2 || '%' and sequence = 1`,
      [businessId, clientPrefix],
    );
    await client.query('analyze wallet');
    await client.query('analyze ledger_entry');
    await client.query('analyze credit_lot');
  });
}

/**
 * A wallet with `entries` entries of 1.00 each, one per millisecond, seeded with one INSERT ... SELECT
 * generate_series (inserts pass the append-only trigger, which refuses only update, delete and truncate).
 * The wallet row ends consistent: balance = entries × 1.00, last_sequence = entries.
 */
export async function seedHistory(db: BenchDatabase, businessId: string, clientId: string, entries: number): Promise<void> {
  const walletId = uuidv7();
  const start = new Date(Date.now() - entries - 60_000);
  await db.transaction(async (client) => {
    await client.query(
      `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
       values ($1, $2, $3, $4, $5::numeric, $6, 1, $7, now())`,
      [businessId, walletId, clientId, benchCurrency, `${entries}.00`, entries, start],
    );
    await client.query(
      `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
                                 reference_type, reference_id, note, actor, command_id, created_at)
       select $1, gen_random_uuid(), $2, $3, $4, g, 'balance_added', 1.00, g::numeric, 'manual', null, null, $5,
              'seed-' || $3 || '-' || g, $6::timestamptz + g * interval '1 millisecond'
       from generate_series(1, $7) g`,
      [businessId, walletId, clientId, benchCurrency, seedActor, start, entries],
    );
    // Its balance as one opening lot, as the lots migration leaves a wallet from before lots.
    await client.query(
      `insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at, entry_id,
                               version, created_at)
       values ($1, gen_random_uuid(), $2, $3, $4, 'opening', $5::numeric, $5::numeric, null, null, 1, now())`,
      [businessId, walletId, clientId, benchCurrency, `${entries}.00`],
    );
  });
}

export interface GatewayTenant {
  businessId: string;
  /** The bearer token of an API key holding balance.view. */
  apiKey: string;
}

/**
 * A business and a read-only API key, stored exactly as AuthService stores them (only the SHA-256 of
 * the secret), so the gateway authenticates the bench like any reporting service.
 */
export async function seedTenant(db: BenchDatabase, businessId: string, permissions: readonly string[] = ['balance.view']): Promise<GatewayTenant> {
  const keyId = uuidv7();
  const secret = randomBytes(32).toString('base64url');
  await db.query('insert into business (id, name) values ($1, $2)', [businessId, 'Bench business']);
  await db.query(
    `insert into api_key (business_id, id, name, secret_hash, permissions, created_by) values ($1, $2, $3, $4, $5::text[], $6)`,
    [businessId, keyId, 'bench reader', createHash('sha256').update(secret).digest('hex'), [...permissions], 'bench'],
  );
  return { businessId, apiKey: `sk_${keyId.replace(/-/g, '')}_${secret}` };
}

/** Directory rows for clients `${prefix}1..count` (the gateway answers 404 for a client it does not know). */
export async function seedClients(db: BenchDatabase, businessId: string, ids: string[]): Promise<void> {
  await db.query(`insert into client (business_id, id, name) select $1, id, 'Bench ' || id from unnest($2::text[]) id`, [businessId, ids]);
}

/**
 * Credit in lots, as the ledger keeps it, for `wallets` wallets (clients `${clientPrefix}1..wallets`) of
 * `entriesPerWallet` entries each (even), one INSERT ... SELECT generate_series per table. Entries come in pairs: a
 * credit (its lot) then a debit drawing from that lot. Spent credit, as a salon's clients spend it: every pair but the
 * wallet's last `openPairs` credits 10.00 and spends all of it, the sources cycling paid, bonus, gift card, refund,
 * adjustment, system, a quarter of them with an expiry; every tenth credits 4.00 that expires whole
 * (balance_expired: breakage). The last `openPairs` pairs credit 10.00 and spend 4.00, so each wallet ends with that
 * many open lots of 6.00. Σ remaining = balance, every balance_after is the sum before it, every allocation matches
 * its entry. Times run evenly over `spanDays` up to now, so the lots fall into every age bucket.
 */
export async function seedCreditLots(
  db: BenchDatabase,
  businessId: string,
  clientPrefix: string,
  wallets: number,
  entriesPerWallet: number,
  spanDays: number,
  openPairs = 2,
): Promise<void> {
  if (entriesPerWallet % 2 !== 0) throw new Error('entriesPerWallet must be even: entries come in credit and debit pairs');
  const pairs = entriesPerWallet / 2;
  const firstOpen = Math.max(1, pairs - openPairs + 1);
  const stepMs = Math.max(1, Math.floor((spanDays * 86_400_000) / (wallets * entriesPerWallet)));
  const start = new Date(Date.now() - wallets * entriesPerWallet * stepMs - 60_000);
  // p: the pair (1-based); open: one of the wallet's last pairs; kept: what the open pairs before p left (6.00 each).
  const pairsSql = `
    select $1::text as business_id, w, p, md5('w' || $2 || w)::uuid as wallet_id, $2 || w as client_id,
      p >= $7::int as open, p % 10 = 0 and p < $7::int as expiring, p % 6 as kind,
      6.00 * greatest(0, p - $7::int) as kept,
      $3::timestamptz + (((2 * p - 2) * $4::int::bigint + w) * $5::bigint) * interval '1 millisecond' as credit_at,
      $3::timestamptz + (((2 * p - 1) * $4::int::bigint + w) * $5::bigint) * interval '1 millisecond' as debit_at,
      md5('c' || $2 || w || '-' || p)::uuid as credit_id, md5('d' || $2 || w || '-' || p)::uuid as debit_id,
      md5('l' || $2 || w || '-' || p)::uuid as lot_id
    from generate_series(1, $4::int) w, generate_series(1, $6::int) p`;
  const params = [businessId, clientPrefix, start, wallets, stepMs, pairs, firstOpen];
  const source = `case when expiring then 'paid' else (array['paid', 'bonus', 'gift_card', 'refund', 'adjustment', 'system'])[kind + 1] end`;
  const creditType = `case when expiring then 'balance_added' else (array['balance_added', 'bonus_credit', 'gift_card_redeemed', 'refund_credit', 'balance_added', 'balance_credit'])[kind + 1] end`;
  const debitType = `case when expiring then 'balance_expired' else (array['used_for_payment', 'balance_deducted', 'balance_debit'])[p % 3 + 1] end`;
  const credited = 'case when expiring then 4.00 else 10.00 end';
  const drawn = 'case when open then 4.00 when expiring then 4.00 else 10.00 end';
  await db.transaction(async (client) => {
    await client.query(
      `insert into wallet (business_id, id, client_id, currency, balance, last_sequence, version, created_at, updated_at)
       select $1, md5('w' || $2 || w)::uuid, $2 || w, '${benchCurrency}', $5::numeric, $6::int, 1, $3, now()
       from generate_series(1, $4::int) w`,
      [businessId, clientPrefix, start, wallets, (6 * (pairs - firstOpen + 1)).toFixed(2), 2 * pairs],
    );
    await client.query(
      `insert into ledger_entry (business_id, id, wallet_id, client_id, currency, sequence, type, amount, balance_after,
                                 reference_type, reference_id, note, actor, command_id, created_at, bonus_tier)
       select business_id, credit_id, wallet_id, client_id, '${benchCurrency}', 2 * p - 1, ${creditType}, ${credited}, kept + ${credited},
              'manual', null, null, '${seedActor}', 'seed-c-' || client_id || '-' || p, credit_at,
              case when not expiring and kind = 1 then '{"minAmount":"100.00","percent":"10"}'::jsonb end
       from (${pairsSql}) s
       union all
       select business_id, debit_id, wallet_id, client_id, '${benchCurrency}', 2 * p, ${debitType}, -(${drawn}),
              kept + ${credited} - (${drawn}), 'manual', null, null, '${seedActor}', 'seed-d-' || client_id || '-' || p, debit_at, null
       from (${pairsSql}) s`,
      params,
    );
    await client.query(
      `insert into credit_lot (business_id, id, wallet_id, client_id, currency, source, amount, remaining, expires_at, entry_id, created_at)
       select business_id, lot_id, wallet_id, client_id, '${benchCurrency}', ${source}, ${credited}, ${credited} - (${drawn}),
              case when expiring then debit_at when p % 4 = 0 then credit_at + interval '400 days' end, credit_id, credit_at
       from (${pairsSql}) s`,
      params,
    );
    await client.query(
      `insert into lot_allocation (business_id, entry_id, position, lot_id, wallet_id, currency, source, entry_type, amount, created_at)
       select business_id, debit_id, 1, lot_id, wallet_id, '${benchCurrency}', ${source}, ${debitType}, ${drawn}, debit_at
       from (${pairsSql}) s`,
      params,
    );
  });
  for (const table of ['wallet', 'ledger_entry', 'credit_lot', 'lot_allocation']) await db.query(`analyze ${table}`);
}
