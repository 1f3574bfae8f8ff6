import { Injectable } from '@nestjs/common';
import type { BonusTierRule } from '@storecredit/contracts';
import { Database } from '../database';

export interface BonusRuleRow {
  currency: string;
  tiers: BonusTierRule[];
  expires_in_days: number | null;
  version: number;
  updated_by: string;
  updated_by_name: string | null;
  updated_at: Date;
}

export interface CreditSettingsRow {
  refund_grace_days: number;
  updated_by: string;
  updated_by_name: string | null;
  updated_at: Date;
}

export interface BonusRuleChange {
  tiers: BonusTierRule[];
  expiresInDays: number | null;
  /** Who changed it, as ledger entries name an actor (`staff:<id>`, `service:api-key:<id>`). */
  updatedBy: string;
}

/** The staff member's or API key's name for an actor string, in the row's own business (as the history names actors). */
const updatedByNameSql = (table: string) => `coalesce(
    (select s.name from staff s where s.business_id = ${table}.business_id and 'staff:' || s.id::text = ${table}.updated_by),
    (select k.name from api_key k where k.business_id = ${table}.business_id and 'service:api-key:' || k.id::text = ${table}.updated_by)
  ) as updated_by_name`;

/**
 * The business's bonus rules (one row per currency) and credit settings (one row). The ledger reads them when it
 * applies a paid top-up or gives credit back; the gateway is where the business changes them. Every change bumps
 * the rule's version, so a bonus entry's tier can be traced to the rule it came from.
 */
@Injectable()
export class SettingsRepository {
  constructor(private readonly db: Database) {}

  async bonusRules(businessId: string): Promise<BonusRuleRow[]> {
    return this.db.query<BonusRuleRow>(
      `select r.currency, r.tiers, r.expires_in_days, r.version, r.updated_by, r.updated_at, ${updatedByNameSql('r')}
       from bonus_rule r where r.business_id = ? order by r.currency`,
      [businessId],
    );
  }

  /** Writes the currency's rule: a new one at version 1, else the next version (an empty list of tiers: no bonus). */
  async putBonusRule(businessId: string, currency: string, change: BonusRuleChange): Promise<BonusRuleRow> {
    const [row] = await this.db.query<BonusRuleRow>(
      `with written as (
         insert into bonus_rule as r (business_id, currency, tiers, expires_in_days, version, updated_by, updated_at)
         values (?, ?, ?::jsonb, ?, 1, ?, now())
         on conflict (business_id, currency) do update
           set tiers = excluded.tiers, expires_in_days = excluded.expires_in_days, version = r.version + 1,
               updated_by = excluded.updated_by, updated_at = excluded.updated_at
         returning r.*
       )
       select r.currency, r.tiers, r.expires_in_days, r.version, r.updated_by, r.updated_at, ${updatedByNameSql('r')} from written r`,
      [businessId, currency, JSON.stringify(change.tiers), change.expiresInDays, change.updatedBy],
    );
    return row;
  }

  async creditSettings(businessId: string): Promise<CreditSettingsRow | null> {
    return this.db.one<CreditSettingsRow>(
      `select c.refund_grace_days, c.updated_by, c.updated_at, ${updatedByNameSql('c')} from credit_settings c where c.business_id = ?`,
      [businessId],
    );
  }

  async putCreditSettings(businessId: string, refundGraceDays: number, updatedBy: string): Promise<CreditSettingsRow> {
    const [row] = await this.db.query<CreditSettingsRow>(
      `with written as (
         insert into credit_settings as c (business_id, refund_grace_days, updated_by, updated_at) values (?, ?, ?, now())
         on conflict (business_id) do update
           set refund_grace_days = excluded.refund_grace_days, updated_by = excluded.updated_by, updated_at = excluded.updated_at
         returning c.*
       )
       select c.refund_grace_days, c.updated_by, c.updated_at, ${updatedByNameSql('c')} from written c`,
      [businessId, refundGraceDays, updatedBy],
    );
    return row;
  }
}
