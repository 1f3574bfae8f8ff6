import { balanceChangeRequestSchema, createClientRequestSchema, issueGiftCardsRequestSchema, updateClientRequestSchema } from './requests';

describe('the HTTP request schemas', () => {
  it('accepts a new client with only a name, trimmed, and refuses one without', () => {
    expect(createClientRequestSchema.parse({ name: '  Cleo  ' })).toEqual({ name: 'Cleo' });
    expect(createClientRequestSchema.safeParse({ name: '   ' }).success).toBe(false);
  });

  it('refuses a phone shorter than three characters, a malformed email and an unknown field', () => {
    expect(createClientRequestSchema.safeParse({ name: 'Cleo', phone: '12' }).error?.issues[0].path).toEqual(['phone']);
    expect(createClientRequestSchema.safeParse({ name: 'Cleo', email: 'cleo@' }).error?.issues[0].path).toEqual(['email']);
    expect(createClientRequestSchema.safeParse({ name: 'Cleo', nickname: 'C' }).success).toBe(false);
  });

  it('lets an edit clear an optional field with null but not send nothing at all', () => {
    expect(updateClientRequestSchema.parse({ name: 'Cleo', phone: null })).toEqual({ name: 'Cleo', phone: null });
    expect(updateClientRequestSchema.safeParse({}).success).toBe(false);
  });

  it('takes a balance change in a supported currency, manual unless told otherwise', () => {
    expect(balanceChangeRequestSchema.parse({ amount: '25.50', currency: 'AED' })).toEqual({ amount: '25.50', currency: 'AED', referenceType: 'manual' });
    expect(balanceChangeRequestSchema.safeParse({ amount: '25.50', currency: 'XYZ' }).success).toBe(false);
  });

  it('issues between one and the most cards per request', () => {
    expect(issueGiftCardsRequestSchema.safeParse({ amount: '75', currency: 'AED', count: 0 }).success).toBe(false);
    expect(issueGiftCardsRequestSchema.safeParse({ amount: '75', currency: 'AED', count: 51 }).success).toBe(false);
    expect(issueGiftCardsRequestSchema.parse({ amount: '75', currency: 'AED' }).count).toBe(1);
  });
});
