import { holdExpiresInSecondsMax, noteLengthMax } from './limits';
import {
  balanceChangeRequestSchema,
  captureHoldRequestSchema,
  checkoutHoldRequestSchema,
  createClientRequestSchema,
  issueGiftCardsRequestSchema,
  releaseHoldRequestSchema,
  updateClientRequestSchema,
} from './requests';

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

  it('places a hold for a sale, for at most the longest a hold may last', () => {
    const hold = { clientId: 'client-42', currency: 'AED', saleId: 'sale-8860', amountOwed: '150.00', amountRequested: '40.00' };
    expect(checkoutHoldRequestSchema.parse(hold)).toEqual(hold);
    expect(checkoutHoldRequestSchema.parse({ ...hold, expiresInSeconds: holdExpiresInSecondsMax }).expiresInSeconds).toBe(holdExpiresInSecondsMax);
    expect(checkoutHoldRequestSchema.safeParse({ ...hold, expiresInSeconds: holdExpiresInSecondsMax + 1 }).error?.issues[0].path).toEqual(['expiresInSeconds']);
    expect(checkoutHoldRequestSchema.safeParse({ ...hold, expiresInSeconds: 0 }).success).toBe(false);
    expect(checkoutHoldRequestSchema.safeParse({ ...hold, expiresInSeconds: 1.5 }).success).toBe(false);
    expect(checkoutHoldRequestSchema.safeParse({ ...hold, saleId: 'sale/8860' }).error?.issues[0].path).toEqual(['saleId']);
    expect(checkoutHoldRequestSchema.safeParse({ ...hold, holdId: 'mine' }).success).toBe(false);
  });

  it('captures all of a hold or part of it, and releases it, with an optional note and nothing else', () => {
    expect(captureHoldRequestSchema.parse({})).toEqual({});
    expect(captureHoldRequestSchema.parse({ amount: '20.00', note: 'card declined the rest' })).toEqual({ amount: '20.00', note: 'card declined the rest' });
    expect(captureHoldRequestSchema.safeParse({ amount: 20 }).success).toBe(false);
    expect(releaseHoldRequestSchema.parse({ note: 'sale cancelled' })).toEqual({ note: 'sale cancelled' });
    expect(releaseHoldRequestSchema.safeParse({ amount: '20.00' }).success).toBe(false);
    expect(releaseHoldRequestSchema.safeParse({ note: 'x'.repeat(noteLengthMax + 1) }).success).toBe(false);
  });
});
