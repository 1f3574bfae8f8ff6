import { actorLabel } from './actor-label';

describe(actorLabel.name, () => {
  it('uses the name the read query resolved', () => {
    expect(actorLabel('staff:0190a1b2-0000-7000-8000-000000000001', 'Dana Front-Desk')).toBe('Dana Front-Desk');
    expect(actorLabel('service:api-key:0190a1b2-0000-7000-8000-000000000002', 'Booking system')).toBe('Booking system');
  });

  it('names the demo seed as demo data, never by a piece of its id', () => {
    expect(actorLabel('staff:demo-seed', null)).toBe('Demo data');
  });

  it('names a service that sends its own commands by its name', () => {
    expect(actorLabel('service:checkout', null)).toBe('Checkout service');
    expect(actorLabel('service:refund', null)).toBe('Refund service');
  });

  it('refuses to show a piece of an id for a staff member or key the business does not have', () => {
    expect(actorLabel('staff:staff-1', null)).toBe('Unknown staff member');
    expect(actorLabel('service:api-key:0190a1b2-0000-7000-8000-000000000003', null)).toBe('Unknown API key');
  });

  it('shows an actor of an unknown kind as recorded', () => {
    expect(actorLabel('robot', null)).toBe('robot');
  });
});
