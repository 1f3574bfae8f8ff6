import { auditSummary, formatTimeLeft } from './labels';

describe(formatTimeLeft.name, () => {
  it('shows minutes and seconds, and hours only when there are some', () => {
    expect(formatTimeLeft(15 * 60 * 1000)).toBe('15:00');
    expect(formatTimeLeft(59_000)).toBe('0:59');
    expect(formatTimeLeft(7 * 24 * 3600 * 1000)).toBe('168:00:00');
    expect(formatTimeLeft(3_723_000)).toBe('1:02:03');
  });

  it('counts a part of a second as a whole one, so zero shows only once the time is up', () => {
    expect(formatTimeLeft(1)).toBe('0:01');
    expect(formatTimeLeft(899_001)).toBe('15:00');
    expect(formatTimeLeft(0)).toBe('0:00');
    expect(formatTimeLeft(-5_000)).toBe('0:00');
  });
});

describe(auditSummary.name, () => {
  const item = (action: string, details: Record<string, unknown>) => ({ id: '1', at: '2026-12-07T09:00:00Z', action, actor: { kind: 'staff', id: 's', name: 'Olivia' }, address: null, target: null, details });

  it('says what the currencies became and the role a member was given', () => {
    expect(auditSummary(item('currencies_changed', { before: null, after: { defaultCurrency: 'SAR', accepted: ['AED', 'SAR'] } }))).toBe('SAR by default, accepting AED, SAR');
    expect(auditSummary(item('staff_role_changed', { before: { role: 'front_desk' }, after: { role: 'manager', permissions: [] } }))).toBe('now Manager');
  });
});
