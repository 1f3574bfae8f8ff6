import { createClientRequestSchema, issueGiftCardsRequestSchema } from '@storecredit/contracts';
import { checkBody } from './forms';

describe(checkBody.name, () => {
  it('gives the value the schema parsed, ready to send', () => {
    expect(checkBody(createClientRequestSchema, { name: ' Cleo ', phone: '+971 50 765 4321' })).toEqual({
      ok: true,
      value: { name: 'Cleo', phone: '+971 50 765 4321' },
    });
  });

  it('names the first problem of each field by its issue code', () => {
    expect(checkBody(createClientRequestSchema, { name: '', phone: '12', email: 'x@' })).toEqual({
      ok: false,
      problems: { name: { code: 'too_small' }, phone: { code: 'too_small' }, email: { code: 'invalid_format' } },
    });
    expect(checkBody(issueGiftCardsRequestSchema, { amount: '75', currency: 'AED', count: Number.NaN })).toEqual({
      ok: false,
      problems: { count: { code: 'invalid_type' } },
    });
  });
});
