import { fakeAuditLog } from '../audit/audit.fakes';
import { TestClock } from '@storecredit/testing';
import { ApiError } from '../http/api-error';
import type { GatewayConfig } from '../gateway.config';
import type { AuthRepository, Deactivation, StaffRow } from './auth.repository';
import { AuthService } from './auth.service';
import type { Principal } from './principal';
import type { SignInThrottle } from './sign-in-throttle';

const businessId = 'salon-1';

function owner(id: string, active = true): StaffRow {
  return { business_id: businessId, id, email: `${id}@salon.example`, name: id, role: 'owner', password_hash: 'x', permissions: ['staff.manage'], active, deactivated_at: null, language: 'en', digits: 'latn' };
}

/** The staff rows and the deactivation the repository would do; the business lock and last-owner count are SQL's part. */
class FakeAuthRepository implements Pick<AuthRepository, 'findStaff' | 'deactivateStaff'> {
  readonly staff = new Map<string, StaffRow>();

  async findStaff(business: string, id: string): Promise<StaffRow | null> {
    const row = this.staff.get(id);
    return row && row.business_id === business ? row : null;
  }

  async deactivateStaff(business: string, id: string): Promise<Deactivation> {
    const row = await this.findStaff(business, id);
    if (!row) return 'not_found';
    const staff = { ...row, active: false };
    this.staff.set(id, staff);
    return { staff, revokedApiKeyIds: [] };
  }
}

function service() {
  const repository = new FakeAuthRepository();
  const { audit, audited } = fakeAuditLog();
  const auth = new AuthService(repository as unknown as AuthRepository, {} as SignInThrottle, new TestClock(), {} as GatewayConfig, audit);
  return { repository, auth, audited };
}

const principalOf = (staff: StaffRow): Principal => ({ kind: 'staff', id: staff.id, name: staff.name, businessId, permissions: staff.permissions });

async function codeOf(work: Promise<unknown>): Promise<string | null> {
  try {
    await work;
    return null;
  } catch (error) {
    if (error instanceof ApiError) return error.code;
    throw error;
  }
}

describe(AuthService.name, () => {
  it('lets an active owner deactivate another owner, and refuses a member deactivating themselves', async () => {
    const { repository, auth } = service();
    const [first, second] = [owner('owner-1'), owner('owner-2')];
    repository.staff.set(first.id, first).set(second.id, second);
    expect(await codeOf(auth.deactivateStaff(principalOf(first), first.id))).toBe('invalid_request');
    expect(await codeOf(auth.deactivateStaff(principalOf(first), second.id))).toBeNull();
  });

  it('answers 401 to a member deactivated while their request ran, not a refusal of a permission', async () => {
    const { repository, auth } = service();
    const [first, second] = [owner('owner-1'), owner('owner-2')];
    repository.staff.set(first.id, first).set(second.id, second);
    // The second owner's session passed the guard; then the first owner's deactivation of them committed.
    await auth.deactivateStaff(principalOf(first), second.id);
    expect(await codeOf(auth.deactivateStaff(principalOf(second), first.id))).toBe('unauthenticated');
    expect(repository.staff.get(first.id)?.active).toBe(true);
  });

  it('lets no one but an owner change an owner', async () => {
    const { repository, auth } = service();
    const manager: StaffRow = { ...owner('manager-1'), role: 'manager' };
    repository.staff.set(manager.id, manager).set('owner-1', owner('owner-1'));
    expect(await codeOf(auth.deactivateStaff(principalOf(manager), 'owner-1'))).toBe('forbidden');
  });
});
