import { Migration } from '@mikro-orm/migrations';

/**
 * A group commit writes a whole group with one statement, outside any explicit transaction: the statement is its
 * own transaction, so the group needs no `begin` and `commit` round trips. The statement must then refuse itself
 * when one of its parts touched fewer rows than it was given (an update whose row another writer changed since the
 * group read it): this function raises, with SQLSTATE 40001 (serialization_failure), and the whole statement is
 * undone, as the rollback of a transaction would have undone it.
 */
export class Migration20261201000000_group_write_rows extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function ledger_expect_rows(part text, expected integer, actual integer) returns integer
      language plpgsql as $$
      begin
        if actual <> expected then
          raise exception '% touched % rows instead of %: another writer changed them first', part, actual, expected
            using errcode = 'serialization_failure';
        end if;
        return actual;
      end $$;`);
  }

  override async down(): Promise<void> {
    this.addSql('drop function if exists ledger_expect_rows(text, integer, integer);');
  }
}
