/** Separate permissions, as the product promises; every gateway route names the one it needs. */
export const permissions = [
  'balance.view',
  'balance.add',
  'balance.deduct',
  'giftcard.redeem',
  'giftcard.manage',
  'checkout.pay',
  'refund.credit',
  'staff.manage',
  'balance.reverse',
  'reports.view',
  'settings.manage',
  'audit.view',
] as const;
export type Permission = (typeof permissions)[number];

export const staffRoles = ['owner', 'manager', 'front_desk'] as const;
export type StaffRole = (typeof staffRoles)[number];

/** Presets for staff roles; a staff member's own list is what is checked. */
export const rolePermissions: Readonly<Record<StaffRole, readonly Permission[]>> = {
  owner: permissions,
  manager: ['balance.view', 'balance.add', 'balance.deduct', 'giftcard.redeem', 'giftcard.manage', 'checkout.pay', 'refund.credit', 'balance.reverse', 'reports.view'],
  front_desk: ['balance.view', 'balance.add', 'giftcard.redeem', 'checkout.pay'],
};

export const ownerRole: StaffRole = 'owner';
