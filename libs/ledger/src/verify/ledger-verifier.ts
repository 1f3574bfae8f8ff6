import { Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';

/** An outbox row older than this has not been published when it should have been. */
export const outboxStuckAfterMs = 60_000;
/** A hold still active this long after its expiry has not been swept when it should have been. */
export const holdOverdueAfterMs = 60_000;
/** A lot still holding credit this long after its expiry, in a wallet with something available, has not been swept. */
export const lotOverdueAfterMs = 60_000;
/** When lots began: entries before it (made before lots) have none. */
const lotsSince = `coalesce((select min(executed_at) from mikro_orm_migrations where name = 'Migration20261204000000_credit_lots'), '-infinity'::timestamptz)`;
/** At most this many problems of one kind are listed; the count is always exact. */
export const problemsListedMax = 20;

export interface VerifyProblem {
  check: string;
  count: number;
  examples: Record<string, unknown>[];
}

export interface VerifyReport {
  ok: boolean;
  wallets: number;
  entries: number;
  lots: number;
  outboxPending: number;
  problems: VerifyProblem[];
}

/** Each check is a query for the rows that break one rule of money; an empty result means the rule holds. */
const checks: { check: string; sql: string }[] = [
  {
    check: 'wallet balance differs from the sum of its entries',
    sql: `select w.business_id, w.id as wallet_id, w.balance::text, coalesce(sum(e.amount), 0)::text as sum_of_entries
          from wallet w left join ledger_entry e on e.business_id = w.business_id and e.wallet_id = w.id
          group by w.business_id, w.id, w.balance having w.balance <> coalesce(sum(e.amount), 0)`,
  },
  {
    check: 'negative balance',
    sql: `select business_id, id as wallet_id, balance::text from wallet where balance < 0
          union all
          select business_id, wallet_id, balance_after::text from ledger_entry where balance_after < 0`,
  },
  {
    check: 'entry chain broken (balance after or sequence inconsistent)',
    sql: `select business_id, wallet_id, id as entry_id, sequence, position, balance_after::text, running::text from (
            select e.*, sum(e.amount) over w as running, row_number() over w as position
            from ledger_entry e
            window w as (partition by e.business_id, e.wallet_id order by e.sequence rows unbounded preceding)
          ) chain where running <> balance_after or position <> sequence`,
  },
  {
    check: 'wallet last sequence differs from its entry count',
    sql: `select w.business_id, w.id as wallet_id, w.last_sequence, count(e.id) as entries
          from wallet w left join ledger_entry e on e.business_id = w.business_id and e.wallet_id = w.id
          group by w.business_id, w.id, w.last_sequence having w.last_sequence <> count(e.id)`,
  },
  {
    check: 'outbox row not published in time',
    sql: `select business_id, id as outbox_id, message_key, created_at from outbox_message
          where created_at < now() - make_interval(secs => ${outboxStuckAfterMs / 1000})`,
  },
  {
    check: 'gift card redemption and ledger disagree',
    sql: `select g.business_id, g.id as gift_card_id, g.status, count(e.id) as redemption_entries
          from gift_card g left join ledger_entry e
            on e.business_id = g.business_id and e.type = 'gift_card_redeemed' and e.reference_id = g.id::text
          group by g.business_id, g.id, g.status
          having count(e.id) <> case when g.status = 'redeemed' then 1 else 0 end`,
  },
  {
    check: 'balance payment refunded beyond what it applied',
    sql: `select business_id, command_id, amount_applied::text, amount_refunded::text from balance_payment
          where amount_refunded > amount_applied or amount_refunded < 0`,
  },
  {
    check: 'sale paid or refunded beyond its amount, or differing from its payments and refunds',
    sql: `select s.business_id, s.sale_id, s.amount::text, s.paid_with_balance::text, s.refunded::text,
            coalesce(p.applied, 0)::text as payments_applied, coalesce(f.refunded, 0)::text as refunds_credited
          from sale s
          left join (select business_id, sale_id, sum(amount_applied) as applied from balance_payment group by 1, 2) p
            on p.business_id = s.business_id and p.sale_id = s.sale_id
          left join (select business_id, sale_id, sum(amount) as refunded from balance_refund group by 1, 2) f
            on f.business_id = s.business_id and f.sale_id = s.sale_id
          where s.paid_with_balance > s.amount or s.refunded > s.amount
            or s.paid_with_balance <> coalesce(p.applied, 0)
            or s.refunded < coalesce(f.refunded, 0)`,
  },
  {
    check: 'refund id credited more than once',
    sql: `select business_id, reference_id as refund_id, count(*) as entries from ledger_entry
          where type = 'refund_credit' and reference_id is not null
          group by business_id, reference_id having count(*) > 1`,
  },
  {
    check: "wallet's held amount differs from the sum of its active holds, or exceeds its balance",
    sql: `select w.business_id, w.id as wallet_id, w.balance::text, w.held::text, coalesce(h.held, 0)::text as active_holds
          from wallet w
          left join (select business_id, wallet_id, sum(amount) as held from balance_hold where status = 'active' group by 1, 2) h
            on h.business_id = w.business_id and h.wallet_id = w.id
          where w.held <> coalesce(h.held, 0) or w.held > w.balance or w.held < 0`,
  },
  {
    check: "sale's held amount differs from its active holds, or holds and payments exceed it",
    sql: `select s.business_id, s.sale_id, s.amount::text, s.paid_with_balance::text, s.held::text, coalesce(h.held, 0)::text as active_holds
          from sale s
          left join (select business_id, sale_id, sum(amount) as held from balance_hold where status = 'active' group by 1, 2) h
            on h.business_id = s.business_id and h.sale_id = s.sale_id
          where s.held <> coalesce(h.held, 0) or s.paid_with_balance + s.held > s.amount`,
  },
  {
    check: 'captured hold without its used_for_payment entry and payment',
    sql: `select h.business_id, h.hold_id, h.captured::text, h.ended_by, e.amount::text as entry_amount, p.amount_applied::text as payment
          from balance_hold h
          left join ledger_entry e on e.business_id = h.business_id and e.command_id = h.ended_by and e.type = 'used_for_payment'
          left join balance_payment p on p.business_id = h.business_id and p.command_id = h.ended_by
          where h.status = 'captured' and h.captured > 0
            and (e.amount is distinct from -h.captured or p.amount_applied is distinct from h.captured)`,
  },
  {
    check: 'hold still active a minute after its expiry (the expiry sweep is not running, or cannot expire it)',
    sql: `select business_id, hold_id, client_id, amount::text, expires_at from balance_hold
          where status = 'active' and expires_at < now() - make_interval(secs => ${holdOverdueAfterMs / 1000})`,
  },
  {
    check: 'hold ended more than once',
    sql: `select business_id, reply->'result'->'hold'->>'holdId' as hold_id, count(*) as endings from idempotency_record
          where command_type in ('balance.capture', 'balance.release', 'balance.expire-hold') and reply->>'status' = 'applied'
          group by business_id, reply->'result'->'hold'->>'holdId' having count(*) > 1`,
  },
  {
    check: "wallet balance differs from the sum of what remains of its lots",
    sql: `select w.business_id, w.id as wallet_id, w.balance::text, coalesce(l.remaining, 0)::text as lots_remaining
          from wallet w
          left join (select business_id, wallet_id, sum(remaining) as remaining from credit_lot group by 1, 2) l
            on l.business_id = w.business_id and l.wallet_id = w.id
          where w.balance <> coalesce(l.remaining, 0)`,
  },
  {
    check: 'lot below zero or above its amount, or its remaining differs from its amount less what was drawn from it',
    sql: `select l.business_id, l.id as lot_id, l.amount::text, l.remaining::text, coalesce(a.drawn, 0)::text as drawn
          from credit_lot l
          left join (select business_id, lot_id, sum(amount) as drawn from lot_allocation group by 1, 2) a
            on a.business_id = l.business_id and a.lot_id = l.id
          where l.remaining < 0 or l.remaining > l.amount or l.remaining <> l.amount - coalesce(a.drawn, 0)`,
  },
  {
    check: "allocation of a lot that does not exist or is another wallet's",
    sql: `select a.business_id, a.entry_id, a.position, a.lot_id, a.wallet_id, l.wallet_id as lot_wallet_id
          from lot_allocation a left join credit_lot l on l.business_id = a.business_id and l.id = a.lot_id
          where l.id is null or l.wallet_id <> a.wallet_id`,
  },
  {
    check: 'debit whose lot allocations do not add up to it',
    sql: `select e.business_id, e.id as entry_id, e.type, e.amount::text, coalesce(a.drawn, 0)::text as drawn
          from ledger_entry e
          left join (select business_id, entry_id, sum(amount) as drawn from lot_allocation group by 1, 2) a
            on a.business_id = e.business_id and a.entry_id = e.id
          where e.amount < 0 and (a.drawn is not null or e.created_at >= ${lotsSince}) and coalesce(a.drawn, 0) <> -e.amount`,
  },
  {
    check: 'credit whose lots do not add up to it',
    sql: `select e.business_id, e.id as entry_id, e.type, e.amount::text, coalesce(l.amount, 0)::text as lots
          from ledger_entry e
          left join (select business_id, entry_id, sum(amount) as amount from credit_lot where entry_id is not null group by 1, 2) l
            on l.business_id = e.business_id and l.entry_id = e.id
          where e.amount > 0 and (l.amount is not null or e.created_at >= ${lotsSince}) and coalesce(l.amount, 0) <> e.amount`,
  },
  {
    check: 'lot past its expiry still holding available credit a minute later (the expiry sweep is not running, or cannot expire it)',
    sql: `select l.business_id, l.id as lot_id, l.client_id, l.remaining::text, l.expires_at
          from credit_lot l join wallet w on w.business_id = l.business_id and w.id = l.wallet_id
          where l.remaining > 0 and l.expires_at < now() - make_interval(secs => ${lotOverdueAfterMs / 1000}) and w.balance > w.held`,
  },
  {
    check: 'expiry entry for a lot not yet due, or for more than the lot held',
    sql: `select e.business_id, e.id as entry_id, e.reference_id as lot_id, e.amount::text, l.expires_at, e.created_at
          from ledger_entry e join credit_lot l on l.business_id = e.business_id and l.id::text = e.reference_id
          where e.type = 'balance_expired' and (l.expires_at is null or l.expires_at > e.created_at or -e.amount > l.amount)`,
  },
  {
    check: 'entry reversed more than once, or a reversal of an entry that is not a staff add or deduct',
    sql: `select r.business_id, r.reverses_entry_id, count(*) as reversals, min(t.type) as reversed_type
          from ledger_entry r left join ledger_entry t on t.business_id = r.business_id and t.id = r.reverses_entry_id
          where r.type = 'balance_reversed'
          group by r.business_id, r.reverses_entry_id
          having count(*) > 1 or min(t.type) is null or min(t.type) not in ('balance_added', 'balance_deducted')`,
  },
];

/** Proves the whole ledger: `npm run verify` prints this report and exits non-zero on any problem. */
@Injectable()
export class LedgerVerifier {
  constructor(private readonly orm: MikroORM) {}

  async verify(): Promise<VerifyReport> {
    const em = this.orm.em.fork() as EntityManager;
    const connection = em.getConnection();
    const problems: VerifyProblem[] = [];
    for (const { check, sql } of checks) {
      const rows = await connection.execute<Record<string, unknown>[]>(`${sql}`);
      if (rows.length > 0) problems.push({ check, count: rows.length, examples: rows.slice(0, problemsListedMax) });
    }
    const [counts] = await connection.execute<{ wallets: string; entries: string; outbox: string; lots: string }[]>(
      `select (select count(*) from wallet) as wallets, (select count(*) from ledger_entry) as entries,
              (select count(*) from outbox_message) as outbox, (select count(*) from credit_lot) as lots`,
    );
    return {
      ok: problems.length === 0,
      wallets: Number(counts.wallets),
      entries: Number(counts.entries),
      lots: Number(counts.lots),
      outboxPending: Number(counts.outbox),
      problems,
    };
  }
}
