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
export async function seedTenant(db: BenchDatabase, businessId: string): Promise<GatewayTenant> {
  const keyId = uuidv7();
  const secret = randomBytes(32).toString('base64url');
  await db.query('insert into business (id, name) values ($1, $2)', [businessId, 'Bench business']);
  await db.query(
    `insert into api_key (business_id, id, name, secret_hash, permissions, created_by) values ($1, $2, $3, $4, $5::text[], $6)`,
    [businessId, keyId, 'bench reader', createHash('sha256').update(secret).digest('hex'), ['balance.view'], 'bench'],
  );
  return { businessId, apiKey: `sk_${keyId.replace(/-/g, '')}_${secret}` };
}

/** Directory rows for clients `${prefix}1..count` (the gateway answers 404 for a client it does not know). */
export async function seedClients(db: BenchDatabase, businessId: string, ids: string[]): Promise<void> {
  await db.query(`insert into client (business_id, id, name) select $1, id, 'Bench ' || id from unnest($2::text[]) id`, [businessId, ids]);
}
