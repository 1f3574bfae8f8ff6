import { SetMetadata } from '@nestjs/common';

/** Separate permissions, as the product promises; every route names the one it needs. */
export const permissions = [
  'balance.view',
  'balance.add',
  'balance.deduct',
  'giftcard.redeem',
  'giftcard.manage',
  'checkout.pay',
  'refund.credit',
  'staff.manage',
] as const;
export type Permission = (typeof permissions)[number];

/** Presets for staff roles; a staff member's own list is what is checked. */
export const rolePermissions: Record<string, readonly Permission[]> = {
  owner: permissions,
  manager: ['balance.view', 'balance.add', 'balance.deduct', 'giftcard.redeem', 'giftcard.manage', 'checkout.pay', 'refund.credit'],
  front_desk: ['balance.view', 'balance.add', 'giftcard.redeem', 'checkout.pay'],
};

export const permissionKey = 'storecredit:permission';
export const publicKey = 'storecredit:public';

/** The route needs this permission of the signed-in staff member or API key. */
export const RequirePermission = (permission: Permission) => SetMetadata(permissionKey, permission);
/** The route needs no principal (sign-in, health, docs). */
export const Public = () => SetMetadata(publicKey, true);
/** The route needs a principal but no particular permission (own session, command status). */
export const anyPermission = 'any';
export const RequireSignIn = () => SetMetadata(permissionKey, anyPermission);
