import { grantRefusal, memberChangeRefusal, permissions, rolePermissions, type Authority } from './permissions';

const owner: Authority = { permissions, owner: true };
const everythingButOwner: Authority = { permissions, owner: false };
const staffManager: Authority = { permissions: ['staff.manage', 'balance.view'], owner: false };

describe(grantRefusal.name, () => {
  it('allows what the actor holds, to a key or a member', () => {
    expect(grantRefusal(staffManager, null, ['balance.view'])).toBeNull();
    expect(grantRefusal(staffManager, 'front_desk', ['staff.manage', 'balance.view'])).toBeNull();
    expect(grantRefusal(owner, 'owner', permissions)).toBeNull();
  });

  it('refuses permissions the actor lacks, naming them once', () => {
    expect(grantRefusal(staffManager, null, ['balance.deduct', 'balance.view', 'balance.deduct'])).toEqual({
      message: 'You cannot grant permissions you do not have: balance.deduct',
      details: { permissions: ['balance.deduct'] },
    });
    expect(grantRefusal(staffManager, 'front_desk', rolePermissions.front_desk)?.details).toEqual({
      permissions: ['balance.add', 'giftcard.redeem', 'checkout.pay'],
    });
  });

  it('refuses the owner’s role to anyone but an owner, even one holding every permission', () => {
    expect(grantRefusal(everythingButOwner, 'owner', ['balance.view'])).toEqual({ message: 'Only an owner can make someone an owner', details: { role: 'owner' } });
  });
});

describe(memberChangeRefusal.name, () => {
  it('allows a member within the actor’s permissions', () => {
    expect(memberChangeRefusal(staffManager, { role: 'front_desk', permissions: ['balance.view'] })).toBeNull();
    expect(memberChangeRefusal(owner, { role: 'owner', permissions })).toBeNull();
  });

  it('refuses a member with a permission the actor lacks', () => {
    expect(memberChangeRefusal(staffManager, { role: 'manager', permissions: rolePermissions.manager })?.details).toEqual({
      permissions: ['balance.add', 'balance.deduct', 'giftcard.redeem', 'giftcard.manage', 'checkout.pay', 'refund.credit', 'balance.reverse', 'reports.view'],
    });
  });

  it('refuses an owner to anyone but an owner', () => {
    expect(memberChangeRefusal(everythingButOwner, { role: 'owner', permissions: ['balance.view'] })).toEqual({
      message: 'Only an owner can change an owner',
      details: { role: 'owner' },
    });
  });
});
