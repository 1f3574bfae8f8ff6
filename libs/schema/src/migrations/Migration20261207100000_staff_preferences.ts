import { Migration } from '@mikro-orm/migrations';

/** Each staff member's language and digits for the web app, kept on the server so they follow the person, not the device. */
export class Migration20261207100000_staff_preferences extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table staff
        add column language text not null default 'en',
        add column digits text not null default 'latn',
        add constraint staff_language_known check (language in ('en', 'ar')),
        add constraint staff_digits_known check (digits in ('latn', 'arab'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table staff drop column language, drop column digits;`);
  }
}
