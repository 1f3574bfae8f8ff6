import { Injectable } from '@nestjs/common';
import { Database, textArray, textArraySql } from '../database';

export interface BusinessCurrenciesRow {
  default_currency: string;
  accepted: string[];
  updated_by: string;
  updated_at: Date;
}

/** The business_currencies row of a business (none until it chooses). */
@Injectable()
export class BusinessCurrenciesRepository {
  constructor(private readonly db: Database) {}

  find(businessId: string): Promise<BusinessCurrenciesRow | null> {
    return this.db.one<BusinessCurrenciesRow>('select default_currency, accepted, updated_by, updated_at from business_currencies where business_id = ?', [
      businessId,
    ]);
  }

  /** Writes the settings and answers what they were before (null: never chosen), in one transaction. */
  async put(businessId: string, defaultCurrency: string, accepted: readonly string[], updatedBy: string): Promise<{ before: BusinessCurrenciesRow | null; after: BusinessCurrenciesRow }> {
    return this.db.transaction(async (tx) => {
      const before = await tx.one<BusinessCurrenciesRow>(
        'select default_currency, accepted, updated_by, updated_at from business_currencies where business_id = ? for update',
        [businessId],
      );
      const [after] = await tx.query<BusinessCurrenciesRow>(
        `insert into business_currencies as c (business_id, default_currency, accepted, updated_by, updated_at) values (?, ?, ${textArraySql}, ?, now())
         on conflict (business_id) do update
           set default_currency = excluded.default_currency, accepted = excluded.accepted, updated_by = excluded.updated_by, updated_at = excluded.updated_at
         returning c.default_currency, c.accepted, c.updated_by, c.updated_at`,
        [businessId, defaultCurrency, textArray(accepted), updatedBy],
      );
      return { before, after };
    });
  }
}
