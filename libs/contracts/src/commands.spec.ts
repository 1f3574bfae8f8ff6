import {
  buildCommand,
  commandBytesMax,
  commandSchemaVersion,
  commandTypes,
  decodeCommand,
  InvalidCommandError,
  parseCommand,
  type Command,
  type CommandInput,
  type CommandType,
  type RejectionCode,
} from './commands';
import { exampleCommands } from './examples';
import { commandKey } from './keys';
import { commandTypesByProducer, producers } from './topics';

const actor = { kind: 'staff', id: 'staff-7' } as const;
const wallet = { businessId: 'salon-1', clientId: 'client-42', currency: 'AED' } as const;

/** One valid input per command type, so each test changes only what it is about. */
const validInputs: Record<CommandType, Record<string, unknown>> = {
  'balance.add': { type: 'balance.add', commandId: 'add-1', actor, ...wallet, amount: '25.50' },
  'balance.credit': { type: 'balance.credit', commandId: 'credit-1', actor, ...wallet, amount: '10.00' },
  'balance.deduct': { type: 'balance.deduct', commandId: 'deduct-1', actor, ...wallet, amount: '5.00' },
  'balance.debit': { type: 'balance.debit', commandId: 'debit-1', actor, ...wallet, amount: '1.00' },
  'balance.pay': { type: 'balance.pay', commandId: 'pay-1', actor, ...wallet, saleId: 'sale-1', amountOwed: '120.00' },
  'balance.refund': {
    type: 'balance.refund',
    commandId: 'refund-1',
    actor,
    ...wallet,
    refundId: 'r-1',
    amount: '20.00',
    saleId: 'sale-1',
    saleAmount: '120.00',
  },
  'giftcard.issue': {
    type: 'giftcard.issue',
    commandId: 'issue-1',
    actor,
    businessId: 'salon-1',
    code: 'K7QM-4RTX-9WPH-C3DV',
    amount: '100.00',
    currency: 'AED',
  },
  'giftcard.void': {
    type: 'giftcard.void',
    commandId: 'void-1',
    actor,
    businessId: 'salon-1',
    giftCardId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6d',
  },
  'giftcard.redeem': { type: 'giftcard.redeem', commandId: 'redeem-1', actor, ...wallet, code: 'K7QM-4RTX-9WPH-C3DV' },
  'balance.hold': { type: 'balance.hold', commandId: 'hold-1', actor, ...wallet, saleId: 'sale-2', amountOwed: '60.00', expiresInSeconds: 600 },
  'balance.capture': { type: 'balance.capture', commandId: 'capture-1', actor, ...wallet, holdId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6e', amount: '10.00' },
  'balance.release': { type: 'balance.release', commandId: 'release-1', actor, ...wallet, holdId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6e' },
  'balance.expire-hold': { type: 'balance.expire-hold', commandId: 'ledger:expire-hold:1', actor, ...wallet, holdId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6e' },
  'balance.reverse': { type: 'balance.reverse', commandId: 'reverse-1', actor, ...wallet, entryId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c6f', note: 'Added to the wrong client' },
  'balance.expire-credit': { type: 'balance.expire-credit', commandId: 'ledger:expire-credit:1:5.00:1', actor, ...wallet, lotId: '0193b1f2-5c1e-7a8b-9c0d-1e2f3a4b5c70' },
};

function build(input: Record<string, unknown>): Command {
  return buildCommand(input as unknown as CommandInput);
}

/** The rejection code buildCommand throws with, or 'built' when it does not throw. */
function buildError(input: Record<string, unknown>): RejectionCode | 'built' {
  try {
    build(input);
    return 'built';
  } catch (error) {
    if (!(error instanceof InvalidCommandError)) throw error;
    return error.code;
  }
}

function rejection(value: unknown): RejectionCode | 'parsed' {
  const parsed = parseCommand(value);
  return parsed.ok ? 'parsed' : parsed.code;
}

function decoded(bytes: Buffer | null): RejectionCode | 'parsed' {
  const parsed = decodeCommand(bytes);
  return parsed.ok ? 'parsed' : parsed.code;
}

function without(input: Record<string, unknown>, field: string): Record<string, unknown> {
  const copy = { ...input };
  delete copy[field];
  return copy;
}

describe('exampleCommands', () => {
  it.each(Object.entries(exampleCommands))('parses the %s example', (_, example) => {
    expect(parseCommand(example)).toEqual({ ok: true, command: example });
  });

  it.each(Object.entries(exampleCommands))('decodes the %s example from its JSON bytes', (_, example) => {
    expect(decodeCommand(Buffer.from(JSON.stringify(example)))).toEqual({ ok: true, command: example });
  });
});

describe(buildCommand.name, () => {
  it.each(commandTypes)('builds a valid %s command with the current schema version', (type) => {
    const command = build(validInputs[type]);
    expect(command).toEqual({ ...validInputs[type], schemaVersion: commandSchemaVersion });
  });

  it('throws an InvalidCommandError with the code and reason', () => {
    expect(() => build({ ...validInputs['balance.add'], amount: '25.505' })).toThrow(InvalidCommandError);
    expect(() => build({ ...validInputs['balance.add'], amount: '25.505' })).toThrow(
      'invalid command (invalid_amount): amount: AED amounts allow at most 2 decimal places',
    );
  });

  it.each([
    ['balance.add', 'amount', '25.505'],
    ['balance.credit', 'amount', '0.001'],
    ['balance.deduct', 'amount', '0'],
    ['balance.debit', 'amount', '1e3'],
    ['balance.pay', 'amountOwed', '120.001'],
    ['balance.pay', 'amountRequested', '50.001'],
    ['balance.refund', 'amount', '-20.00'],
    ['giftcard.issue', 'amount', '100.005'],
  ] as const)('refuses a %s whose %s is %s as invalid_amount', (type, field, value) => {
    expect(buildError({ ...validInputs[type], [field]: value })).toBe('invalid_amount');
  });

  it('checks the amount against the command currency scale', () => {
    expect(buildError({ ...validInputs['balance.add'], currency: 'JPY', amount: '1000' })).toBe('built');
    expect(buildError({ ...validInputs['balance.add'], currency: 'JPY', amount: '1000.5' })).toBe('invalid_amount');
    expect(buildError({ ...validInputs['balance.add'], currency: 'KWD', amount: '1.250' })).toBe('built');
    expect(buildError({ ...validInputs['balance.add'], currency: 'KWD', amount: '1.2505' })).toBe('invalid_amount');
  });

  it.each(commandTypes)('refuses an unknown field on %s as a schema_violation', (type) => {
    expect(buildError({ ...validInputs[type], unexpected: 'x' })).toBe('schema_violation');
  });

  it('refuses an unknown field inside the actor', () => {
    expect(buildError({ ...validInputs['balance.add'], actor: { ...actor, role: 'owner' } })).toBe('schema_violation');
  });

  it.each([
    ['balance.add', 'amount'],
    ['balance.add', 'commandId'],
    ['balance.add', 'businessId'],
    ['balance.add', 'clientId'],
    ['balance.add', 'currency'],
    ['balance.add', 'actor'],
    ['balance.pay', 'saleId'],
    ['balance.pay', 'amountOwed'],
    ['balance.refund', 'refundId'],
    ['giftcard.issue', 'code'],
    ['giftcard.void', 'giftCardId'],
    ['giftcard.redeem', 'code'],
  ] as const)('refuses a %s without its %s', (type, field) => {
    expect(buildError(without(validInputs[type], field))).toBe('schema_violation');
  });

  it.each(['commandId', 'businessId', 'clientId'])("refuses a %s containing '/', the message key separator", (field) => {
    expect(buildError({ ...validInputs['balance.add'], [field]: 'salon/1' })).toBe('schema_violation');
  });

  it.each([
    ['empty', ''],
    ['starting with a dash', '-abc'],
    ['containing a space', 'a b'],
    ['longer than 128 characters', 'a'.repeat(129)],
  ])('refuses an id that is %s', (_, value) => {
    expect(buildError({ ...validInputs['balance.add'], commandId: value })).toBe('schema_violation');
  });

  it('accepts an id of exactly 128 characters', () => {
    expect(buildError({ ...validInputs['balance.add'], commandId: 'a'.repeat(128) })).toBe('built');
  });

  it.each(['XXX', 'ABC', 'aed', 'AEDX', ''])('refuses the currency "%s"', (currency) => {
    expect(buildError({ ...validInputs['balance.add'], currency })).toBe('schema_violation');
  });

  it('refuses an amount sent as a JavaScript number', () => {
    expect(buildError({ ...validInputs['balance.add'], amount: 25.5 })).toBe('schema_violation');
  });

  it('refuses an actor of an unknown kind', () => {
    expect(buildError({ ...validInputs['balance.add'], actor: { kind: 'robot', id: 'r-1' } })).toBe('schema_violation');
  });

  it('refuses a note longer than 500 characters', () => {
    expect(buildError({ ...validInputs['balance.add'], note: 'n'.repeat(500) })).toBe('built');
    expect(buildError({ ...validInputs['balance.add'], note: 'n'.repeat(501) })).toBe('schema_violation');
  });

  it('refuses a note the database could not store (NUL, an unpaired surrogate), and keeps other text', () => {
    expect(buildError({ ...validInputs['balance.add'], note: 'before\u0000after' })).toBe('schema_violation');
    expect(buildError({ ...validInputs['balance.add'], note: 'broken \ud800 text' })).toBe('schema_violation');
    expect(buildError({ ...validInputs['balance.add'], note: 'broken \udc00 text' })).toBe('schema_violation');
    expect(buildError({ ...validInputs['balance.add'], note: 'refund 💸, line\nbreak, \u202eRTL' })).toBe('built');
  });

  it('refuses a gift card void whose id is not a UUID', () => {
    expect(buildError({ ...validInputs['giftcard.void'], giftCardId: 'card-1' })).toBe('schema_violation');
  });
});

describe(parseCommand.name, () => {
  it.each([
    ['null', null],
    ['an array', [validInputs['balance.add']]],
    ['a string', 'balance.add'],
    ['a number', 1],
  ])('refuses %s as a schema_violation', (_, value) => {
    expect(rejection(value)).toBe('schema_violation');
  });

  it.each([
    ['an unknown type', 'balance.steal'],
    ['a type of the wrong case', 'BALANCE.ADD'],
    ['a missing type', undefined],
    ['a non-string type', 7],
  ])('refuses %s as unknown_type', (_, type) => {
    expect(rejection({ ...validInputs['balance.add'], schemaVersion: 1, type })).toBe('unknown_type');
  });

  it.each([
    ['a future version', 2],
    ['version zero', 0],
    ['the version as a string', '1'],
    ['a missing version', undefined],
  ])('refuses %s as unsupported_schema_version', (_, schemaVersion) => {
    expect(rejection({ ...validInputs['balance.add'], schemaVersion })).toBe('unsupported_schema_version');
  });

  it('checks the schema version before the type', () => {
    expect(rejection({ ...validInputs['balance.add'], schemaVersion: 2, type: 'balance.steal' })).toBe(
      'unsupported_schema_version',
    );
  });

  it('says which field is wrong', () => {
    const parsed = parseCommand({ ...validInputs['balance.add'], schemaVersion: 1, clientId: 'a/b' });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(/^clientId: /);
  });
});

describe(decodeCommand.name, () => {
  const valid = { ...validInputs['balance.add'], schemaVersion: 1 };

  it('decodes a valid command from UTF-8 JSON', () => {
    expect(decodeCommand(Buffer.from(JSON.stringify(valid), 'utf8'))).toEqual({ ok: true, command: valid });
  });

  it.each([
    ['null', null],
    ['an empty buffer', Buffer.alloc(0)],
  ])('refuses %s as malformed_json', (_, bytes) => {
    expect(decoded(bytes)).toBe('malformed_json');
  });

  it.each(['{', '{"type": "balance.add",}', 'not json', "{'a': 1}", '\u0000'])('refuses %j as malformed_json', (text) => {
    expect(decoded(Buffer.from(text))).toBe('malformed_json');
  });

  it('never quotes the text it could not read: it may be a gift card code sent by mistake', () => {
    for (const text of ['K7QM-4RTX-9WPH-C3DV', '{"type":"giftcard.redeem","code":"K7QM-4RTX-9WPH-C3DV",x}', 'K7QM4RTX9WPHC3DV']) {
      const result = decodeCommand(Buffer.from(text));
      expect(result).toMatchObject({ ok: false, code: 'malformed_json', reason: expect.stringMatching(/^not valid JSON/) });
      expect(JSON.stringify(result)).not.toMatch(/K7QM|C3DV/);
    }
  });

  it('passes valid JSON that is not a command on to the schema', () => {
    expect(decoded(Buffer.from('null'))).toBe('schema_violation');
    expect(decoded(Buffer.from('[]'))).toBe('schema_violation');
    expect(decoded(Buffer.from('{"schemaVersion":1,"type":"balance.steal"}'))).toBe('unknown_type');
  });

  it('accepts a message of exactly commandBytesMax bytes', () => {
    const json = JSON.stringify(valid);
    const bytes = Buffer.from(json + ' '.repeat(commandBytesMax - Buffer.byteLength(json)));
    expect(bytes.length).toBe(commandBytesMax);
    expect(decoded(bytes)).toBe('parsed');
  });

  it('refuses a message one byte over commandBytesMax as oversized', () => {
    const json = JSON.stringify(valid);
    const bytes = Buffer.from(json + ' '.repeat(commandBytesMax + 1 - Buffer.byteLength(json)));
    expect(bytes.length).toBe(commandBytesMax + 1);
    expect(decoded(bytes)).toBe('oversized');
  });

  it('refuses an oversized message before trying to parse it', () => {
    expect(decoded(Buffer.alloc(commandBytesMax + 1, '{'))).toBe('oversized');
  });
});

describe('payWithBalanceSchema', () => {
  const pay = validInputs['balance.pay'];

  it('accepts a payment of a split sale: owed up to the sale amount', () => {
    expect(buildError({ ...pay, amountOwed: '70.00', saleAmount: '120.00' })).toBe('built');
    expect(buildError({ ...pay, amountOwed: '120.00', saleAmount: '120.00' })).toBe('built');
  });

  it('refuses a payment that owes more than the whole sale', () => {
    expect(buildError({ ...pay, amountOwed: '100.00', saleAmount: '10.00' })).toBe('schema_violation');
  });
});

describe('refundToBalanceSchema', () => {
  const refund = without(without(validInputs['balance.refund'], 'saleId'), 'saleAmount');

  it('accepts a refund of an earlier balance payment', () => {
    expect(buildError({ ...refund, paymentCommandId: 'pay-1' })).toBe('built');
  });

  it('accepts a refund of a sale paid by other means, with the sale amount that bounds its refunds', () => {
    expect(buildError({ ...refund, saleId: 'sale-1', saleAmount: '120.00' })).toBe('built');
  });

  it('refuses a refund by sale without the sale amount', () => {
    expect(buildError({ ...refund, saleId: 'sale-1' })).toBe('schema_violation');
  });

  it('refuses an over-precise sale amount', () => {
    expect(buildError({ ...refund, saleId: 'sale-1', saleAmount: '120.001' })).toBe('invalid_amount');
  });

  it('refuses a refund that names both a payment and a sale', () => {
    expect(buildError({ ...refund, paymentCommandId: 'pay-1', saleId: 'sale-1' })).toBe('schema_violation');
  });

  it('refuses a refund that names neither a payment nor a sale', () => {
    expect(buildError(refund)).toBe('schema_violation');
  });
});

describe('issueGiftCardSchema', () => {
  const issue = validInputs['giftcard.issue'];

  it.each([
    ['16 characters with dashes', 'K7QM-4RTX-9WPH-C3DV'],
    ['16 characters in lower case', 'k7qm-4rtx-9wph-c3dv'],
    ['16 characters with spaces', 'K7QM 4RTX 9WPH C3DV'],
    ['16 characters without separators', 'K7QM4RTX9WPHC3DV'],
    ['32 characters', 'K7QM4RTX9WPHC3DVK7QM4RTX9WPHC3DV'],
  ])('accepts a code of %s', (_, code) => {
    expect(buildError({ ...issue, code })).toBe('built');
  });

  it.each([
    ['shorter than 8 characters', 'ABC123'],
    ['of 15 characters once dashes are removed', 'K7QM-4RTX-9WPH-C3D'],
    ['padded to length with dashes', 'K7QM------------'],
    ['longer than 32 characters', 'K7QM4RTX9WPHC3DVK7QM4RTX9WPHC3DVA'],
    ['with punctuation', 'K7QM_4RTX_9WPH_C3DV'],
    ['with non-Latin letters', 'К7QM4RTX9WPHC3DV'],
  ])('refuses a code %s', (_, code) => {
    expect(buildError({ ...issue, code })).toBe('schema_violation');
  });

  it('refuses an expiry that is not an ISO date-time with an offset', () => {
    expect(buildError({ ...issue, expiresAt: '2027-01-01T00:00:00Z' })).toBe('built');
    expect(buildError({ ...issue, expiresAt: '2027-01-01T00:00:00+04:00' })).toBe('built');
    expect(buildError({ ...issue, expiresAt: '2027-01-01' })).toBe('schema_violation');
    expect(buildError({ ...issue, expiresAt: 'next year' })).toBe('schema_violation');
  });
});

describe(commandKey.name, () => {
  it.each([
    'balance.add',
    'balance.credit',
    'balance.deduct',
    'balance.debit',
    'balance.pay',
    'balance.refund',
    'giftcard.redeem',
  ] as const)('keys a %s command by business, client and currency', (type) => {
    expect(commandKey(build(validInputs[type]))).toBe('salon-1/client-42/AED');
  });

  it.each(['giftcard.issue', 'giftcard.void'] as const)('keys a %s command by business gift cards', (type) => {
    expect(commandKey(build(validInputs[type]))).toBe('salon-1/gift-cards');
  });

  it('gives the same client a different key per currency', () => {
    const aed = build(validInputs['balance.add']);
    const usd = build({ ...validInputs['balance.add'], currency: 'USD' });
    expect(commandKey(aed)).not.toBe(commandKey(usd));
  });

  it('gives the same client id a different key in another business', () => {
    const first = build(validInputs['balance.add']);
    const second = build({ ...validInputs['balance.add'], businessId: 'salon-2' });
    expect(commandKey(first)).not.toBe(commandKey(second));
  });
});

describe("the ledger's own command ids", () => {
  it('refuses any other command under an id starting ledger: (a producer could take the sweep\'s id first)', () => {
    for (const type of commandTypes.filter((next) => next !== 'balance.expire-hold' && next !== 'balance.expire-credit')) {
      const parsed = parseCommand({ ...validInputs[type], commandId: `ledger:expire-hold:${type}`, schemaVersion: 1 });
      expect(parsed).toMatchObject({ ok: false, code: 'schema_violation', reason: expect.stringContaining('ledger:') });
    }
  });

  it("refuses the ledger's own commands under any other id", () => {
    expect(parseCommand({ ...validInputs['balance.expire-hold'], commandId: 'expire-hold:1', schemaVersion: 1 })).toMatchObject({ ok: false, code: 'schema_violation' });
    expect(parseCommand({ ...validInputs['balance.expire-credit'], commandId: 'x-1', schemaVersion: 1 })).toMatchObject({ ok: false, code: 'schema_violation' });
  });
});

describe('commandTypesByProducer', () => {
  it("lets the gateway carry every command type but the ledger's own expiry of holds and credit", () => {
    const ledgerOwn = ['balance.expire-hold', 'balance.expire-credit'];
    expect([...commandTypesByProducer.gateway].sort()).toEqual(commandTypes.filter((type) => !ledgerOwn.includes(type)).sort());
  });

  it('lets checkout carry only payments and holds, never a change of balance by itself, nor the ledger\'s own expiry', () => {
    expect(commandTypesByProducer.checkout).toEqual(['balance.pay', 'balance.hold', 'balance.capture', 'balance.release']);
    for (const producer of producers) {
      expect(commandTypesByProducer[producer]).not.toContain('balance.expire-hold');
      expect(commandTypesByProducer[producer]).not.toContain('balance.expire-credit');
    }
  });

  it('lets the refund service carry only refunds to balance', () => {
    expect(commandTypesByProducer.refund).toEqual(['balance.refund']);
  });

  it('names only known command types for every producer', () => {
    for (const producer of producers) {
      for (const type of commandTypesByProducer[producer]) expect(commandTypes).toContain(type);
    }
  });
});
