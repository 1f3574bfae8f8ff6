import { commandIdsOf, deadLetterReasonForLog } from './command-processor';

describe(deadLetterReasonForLog.name, () => {
  const code = 'K7QM-4RTX-9WPH-C3DV';

  it('never quotes the message or its key, which may carry a gift card code', () => {
    expect(deadLetterReasonForLog('malformed_json', `not valid JSON: Unexpected token 'K', "${code}" is not valid JSON`)).toBe('not valid JSON');
    expect(deadLetterReasonForLog('unknown_type', `unknown command type "${code}"`)).toBe('unknown command type');
    expect(deadLetterReasonForLog('unsupported_schema_version', `schemaVersion must be 1, got "${code}"`)).toBe('unsupported schemaVersion');
    expect(deadLetterReasonForLog('wrong_key', `message key must be "biz:client:AED", got "${code}"`)).toBe("the message key is not the command's");
  });

  it('keeps the reasons that are our own words', () => {
    expect(deadLetterReasonForLog('oversized', 'message is 70000 bytes, the limit is 65536')).toBe('message is 70000 bytes, the limit is 65536');
    expect(deadLetterReasonForLog('wrong_topic', 'balance.add may not be sent on the checkout command topic')).toBe('balance.add may not be sent on the checkout command topic');
  });
});

describe(commandIdsOf.name, () => {
  it("names the command of a JSON object the contract refused, so its dead letter's log line can", () => {
    const refused = { schemaVersion: 1, type: 'balance.add', commandId: 'cmd-1', businessId: 'salon-1', bogus: true };
    expect(commandIdsOf(Buffer.from(JSON.stringify(refused)))).toEqual({ commandId: 'cmd-1', businessId: 'salon-1' });
  });

  it('names nothing for what is no JSON object or carries no plain ids', () => {
    for (const value of ['not json', '[1]', 'null', '{"commandId":"cmd-1"}', '{"commandId":"a b","businessId":"salon-1"}', '{"commandId":"cmd-1","businessId":{"x":1}}']) {
      expect(commandIdsOf(Buffer.from(value))).toBeUndefined();
    }
    expect(commandIdsOf(null)).toBeUndefined();
  });
});
