import { headerNames } from '@storecredit/contracts';
import type { KafkaMessage } from 'kafkajs';
import { deadLetterOf, listLine, maskGiftCardCode, matches, redrivenMessage, showText } from './dead-letter';

const message = (value: string, headers: Record<string, string>): KafkaMessage =>
  ({ key: Buffer.from('salon/client/AED'), value: Buffer.from(value), headers, offset: '7', timestamp: '1764000000000', attributes: 0 }) as KafkaMessage;

const dead = (value = '{"type":"giftcard.redeem","code":"ABCD-EFGH-JKLM-NPQR"}') =>
  deadLetterOf(
    3,
    message(value, {
      [headerNames.correlationId]: 'corr-1',
      [headerNames.dlqCode]: 'unknown_type',
      [headerNames.dlqReason]: 'x'.repeat(200),
      [headerNames.dlqOriginalTopic]: 'storecredit.commands.gateway.v1',
      [headerNames.dlqFailedAt]: '2026-12-01T10:00:00.000Z',
    }),
  );

describe('dead letters', () => {
  it('masks a gift card code in show but keeps its last four characters', () => {
    const text = showText(dead());
    expect(text).toContain('"code": "****NPQR"');
    expect(text).not.toContain('ABCD');
    expect(maskGiftCardCode(['not', 'a', 'command'])).toEqual(['not', 'a', 'command']);
  });

  it('masks anything shaped like a code where it is not JSON too, and in headers and reasons, but not ids', () => {
    const broken = dead('{"type":"giftcard.redeem","code":"hxqw tyup asdf ghjk",x}');
    expect(showText(broken)).toContain('****GHJK');
    expect(showText(broken)).not.toMatch(/hxqw|HXQW/);
    expect(showText(dead('HXQWTYUPASDFGHJN'))).toContain('(not JSON) "****GHJN"');
    const quoting = deadLetterOf(0, message('HXQW-TYUP-ASDF-GHJN', { [headerNames.dlqReason]: 'Unexpected token, "HXQW-TYUP-ASDF-GHJN" is not valid JSON' }));
    expect(listLine(quoting)).not.toContain('HXQW');
    expect(showText(quoting)).not.toContain('HXQW');
    const ids = '{"commandId":"0192f3a4-5b6c-7d8e-9f00-112233445566","clientId":"client-42"}';
    expect(showText(dead(ids))).toContain('0192f3a4-5b6c-7d8e-9f00-112233445566');
  });

  it('shows a value that is not JSON as text', () => {
    expect(showText(dead('not json'))).toContain('(not JSON) "not json"');
  });

  it('filters by code and failure time', () => {
    const letter = dead();
    expect(matches(letter, { code: 'unknown_type', since: new Date('2026-12-01T09:00:00Z') })).toBe(true);
    expect(matches(letter, { code: 'malformed_json' })).toBe(false);
    expect(matches(letter, { since: new Date('2026-12-01T11:00:00Z') })).toBe(false);
  });

  it('trims the reason in list', () => {
    const line = listLine(dead());
    expect(line.startsWith('3:7  2026-12-01T10:00:00.000Z  unknown_type  storecredit.commands.gateway.v1  "salon/client/AED"  ')).toBe(true);
    expect(line.length).toBeLessThan(200);
  });

  it('re-drives the original key, value and headers without the dead-letter ones', () => {
    const letter = dead();
    const sent = redrivenMessage(letter);
    expect(sent.key).toEqual(letter.key);
    expect(sent.value).toBe(letter.value);
    expect(Object.keys(sent.headers ?? {}).sort()).toEqual([headerNames.correlationId, headerNames.dlqRedrivenFrom]);
    expect(sent.headers?.[headerNames.dlqRedrivenFrom]).toBe('3:7');
  });
});
