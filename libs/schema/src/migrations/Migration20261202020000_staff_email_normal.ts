import { Migration } from '@mikro-orm/migrations';

/**
 * Staff emails are stored in the one spelling the gateway signs in and throttles by (NFKC, lower case, trimmed: its
 * `normalStaffEmail`), and sign-in matches that spelling exactly, instead of folding case with PostgreSQL's lower()
 * while the throttle folded it with JavaScript's (`İ` became `i` in one and `i̇` in the other: a throttle bypass).
 * The spelling is computed here in JavaScript, as the gateway does, because lower() depends on the database's
 * collation. API keys are found by their creator whether revoked or not, to revoke the keys derived from them.
 */
export class Migration20261202020000_staff_email_normal extends Migration {
  override async up(): Promise<void> {
    const rows = (await this.execute('select business_id, id, email from staff')) as { business_id: string; id: string; email: string }[];
    const owners = new Map<string, string>();
    for (const row of rows) {
      const key = JSON.stringify([row.business_id, normalStaffEmail(row.email)]);
      const other = owners.get(key);
      if (other !== undefined) {
        throw new Error(`staff ${other} and ${row.id} of business ${row.business_id} have the same email once normalised; settle it by hand first`);
      }
      owners.set(key, row.id);
    }
    for (const row of rows) {
      const normal = normalStaffEmail(row.email);
      if (normal !== row.email) await this.execute('update staff set email = ? where business_id = ? and id = ?', [normal, row.business_id, row.id]);
    }
    this.addSql('drop index staff_email_unique;');
    this.addSql('create unique index staff_email_unique on staff (business_id, email);');
    this.addSql('drop index staff_email;');
    this.addSql('create index staff_email on staff (email);');
    this.addSql('drop index api_key_created_by;');
    this.addSql('create index api_key_created_by on api_key (business_id, created_by);');
  }

  override async down(): Promise<void> {
    // The emails stay in their normal spelling: it signs in under the old lookup too.
    this.addSql('drop index if exists api_key_created_by;');
    this.addSql('create index api_key_created_by on api_key (business_id, created_by) where revoked_at is null;');
    this.addSql('drop index if exists staff_email;');
    this.addSql('create index staff_email on staff (lower(email));');
    this.addSql('drop index if exists staff_email_unique;');
    this.addSql('create unique index staff_email_unique on staff (business_id, lower(email));');
  }
}

/** A copy of the gateway's `normalStaffEmail` as it was when this migration was written (a migration never changes). */
function normalStaffEmail(email: string): string {
  return email.normalize('NFKC').toLowerCase().normalize('NFKC').trim();
}
