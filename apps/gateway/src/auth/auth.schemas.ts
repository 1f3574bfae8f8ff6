import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { passwordLengthMax } from './password-policy';
import { permissions, staffPreferencesSchema, staffRoles, type StaffPreferences } from '@storecredit/contracts';
import { ApiError } from '../http/api-error';

export class SignInDto extends createZodDto(
  z.strictObject({
    email: z.string().trim().min(3).max(200),
    password: z.string().min(1).max(passwordLengthMax),
    /** Needed only when the same email and password sign in to more than one business. */
    business: z.string().trim().min(1).max(100).optional(),
  }),
) {}

export class ChangePasswordDto extends createZodDto(
  z.strictObject({ currentPassword: z.string().min(1).max(passwordLengthMax), newPassword: z.string().min(1).max(passwordLengthMax) }),
) {}

const permissionList = z.array(z.enum(permissions)).max(permissions.length);

export class CreateStaffDto extends createZodDto(
  z.strictObject({
    email: z.email().max(200),
    name: z.string().trim().min(1).max(200),
    password: z.string().min(1).max(passwordLengthMax),
    role: z.enum(staffRoles),
    permissions: permissionList.optional(),
  }),
) {}

/** PATCH /api/staff/:id: a new role (permissions: its preset) or permission list, or both. */
export class ChangeRoleDto extends createZodDto(
  z
    .strictObject({ role: z.enum(staffRoles).optional(), permissions: permissionList.optional() })
    .refine((body) => body.role !== undefined || body.permissions !== undefined, 'name a role, permissions or both'),
) {}

export class ResetPasswordDto extends createZodDto(z.strictObject({ password: z.string().min(1).max(passwordLengthMax) })) {}

export class CreateApiKeyDto extends createZodDto(z.strictObject({ name: z.string().trim().min(1).max(100), permissions: permissionList.min(1) })) {}

/**
 * A preferences body: a language or digits setting the app does not have is `unknown_preference` (422, the value was
 * understood and is not one of ours); a body of another shape (a field missing or extra) is `invalid_request`.
 */
export function parsePreferences(body: unknown): StaffPreferences {
  const parsed = staffPreferencesSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  const given = (issue: (typeof parsed.error.issues)[number]) => (typeof body === 'object' && body !== null ? (body as Record<PropertyKey, unknown>)[issue.path[0] ?? ''] : undefined);
  const unknownValue = parsed.error.issues.every((issue) => issue.code === 'invalid_value' && typeof given(issue) === 'string');
  throw unknownValue ? new ApiError('unknown_preference', { issues }) : new ApiError('invalid_request', { issues }, issues.map((i) => `${i.path}: ${i.message}`).join('; '));
}
