import { DecimalType } from '@mikro-orm/core';
import { Decimal } from '@storecredit/contracts';

/**
 * A money column. MikroORM's DecimalType decides whether a value changed by comparing JavaScript numbers, so two
 * balances that differ by a cent above about 9e13 (beyond a double's 16 digits) compare equal, and the UPDATE
 * silently keeps the old balance while the entry is written. Money columns compare as exact decimals.
 */
export class ExactDecimalType extends DecimalType {
  override compareValues(a: string, b: string): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return a === b;
    return new Decimal(a).eq(b);
  }
}
