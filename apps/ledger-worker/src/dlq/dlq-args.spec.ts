import { parseDlqArgs, UsageError } from './dlq-args';

describe(parseDlqArgs.name, () => {
  it('lists everything by default', () => {
    expect(parseDlqArgs([])).toEqual({ name: 'list', filter: { code: undefined }, limit: undefined });
  });

  it('reads a redrive with its filter and flags', () => {
    expect(parseDlqArgs(['redrive', '--code', 'wrong_key', '--since', '2026-12-01T09:00:00Z', '--dry-run'])).toEqual({
      name: 'redrive',
      filter: { code: 'wrong_key', since: new Date('2026-12-01T09:00:00Z') },
      dryRun: true,
      yes: false,
      again: false,
    });
  });

  it('takes show with or without a partition', () => {
    expect(parseDlqArgs(['show', '2:0042'])).toEqual({ name: 'show', partition: 2, offset: '42' });
    expect(parseDlqArgs(['show', '42'])).toEqual({ name: 'show', offset: '42' });
  });

  it.each([
    [['purge'], /unknown command/],
    [['show'], /one argument/],
    [['show', '1:x'], /partition:offset/],
    [['list', '--dry-run'], /list takes no --dry-run/],
    [['list', '--limit', '0'], /positive integer/],
    [['redrive', '--since', 'yesterday'], /ISO 8601/],
    [['redrive', '--since', '12/01/2026'], /ISO 8601/],
    [['redrive', '--code', 'DROP TABLE'], /--code must be/],
    [['redrive', '--bogus'], /Unknown option/],
    [['redrive', 'now'], /takes no argument/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseDlqArgs(argv)).toThrow(UsageError);
    expect(() => parseDlqArgs(argv)).toThrow(message);
  });
});
