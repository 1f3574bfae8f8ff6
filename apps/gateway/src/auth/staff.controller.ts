import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { tokenOf } from './auth.guard';
import type { ApiKeyRow, StaffRow } from './auth.repository';
import { AuthService } from './auth.service';
import { RequirePermission } from './permissions';
import { CurrentPrincipal, type AuthenticatedRequest, type Principal } from './principal';
import { ChangeRoleDto, CreateApiKeyDto, CreateStaffDto, ResetPasswordDto } from './auth.schemas';

/** Timestamps reach us as PostgreSQL's text (`2026-12-02 02:49:19.862+00`); the API answers ISO 8601 everywhere. */
function isoOrNull(time: Date | string | null): string | null {
  return time === null ? null : new Date(time).toISOString();
}

function staffView(s: StaffRow) {
  return {
    id: s.id,
    email: s.email,
    name: s.name,
    role: s.role,
    permissions: s.permissions,
    active: s.active,
    deactivatedAt: isoOrNull(s.deactivated_at),
  };
}

function apiKeyView(key: ApiKeyRow) {
  return {
    id: key.id,
    name: key.name,
    permissions: key.permissions,
    createdBy: key.created_by,
    createdAt: isoOrNull(key.created_at),
    revokedAt: isoOrNull(key.revoked_at),
  };
}

@ApiTags('staff and API keys')
@ApiBearerAuth()
@Controller('api')
export class StaffController {
  constructor(private readonly auth: AuthService) {}

  @Get('staff')
  @RequirePermission('staff.manage')
  async listStaff(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.auth.listStaff(principal)).map(staffView) };
  }

  @Post('staff')
  @RequirePermission('staff.manage')
  @ApiOperation({
    summary: 'Add a staff member with a role (its permission preset) or an explicit permission list, within the caller’s own; owners only by an owner',
  })
  async createStaff(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Body() body: CreateStaffDto) {
    const staff = await this.auth.createStaffAs(principal, body, request.ip);
    return { id: staff.id, email: staff.email, name: staff.name, role: staff.role, permissions: staff.permissions };
  }

  @Patch('staff/:id')
  @RequirePermission('staff.manage')
  @ApiOperation({
    summary:
      'Change a member’s role (permissions: its preset) or permissions, within the caller’s own; owners made or unmade only by an owner; never one’s own, never the last active owner. Their sessions hold the new permissions from their next request; their API keys that hold a permission they lost are revoked',
  })
  async changeRole(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: ChangeRoleDto) {
    const { staff, revokedApiKeyIds } = await this.auth.changeRole(principal, id, body, request.ip);
    return { ...staffView(staff), revokedApiKeyIds };
  }

  @Post('staff/:id/deactivate')
  @RequirePermission('staff.manage')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Deactivate a member within the caller’s permissions: their sessions end at once, sign-in is refused, and the API keys they created, and the keys made with those, are revoked',
  })
  async deactivateStaff(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', new ParseUUIDPipe()) id: string) {
    const { staff, revokedApiKeyIds } = await this.auth.deactivateStaff(principal, id, request.ip);
    return { ...staffView(staff), revokedApiKeyIds };
  }

  @Post('staff/:id/reactivate')
  @RequirePermission('staff.manage')
  @HttpCode(200)
  @ApiOperation({ summary: 'Let a deactivated member sign in again (their old sessions and revoked keys stay ended)' })
  async reactivateStaff(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', new ParseUUIDPipe()) id: string) {
    return staffView(await this.auth.reactivateStaff(principal, id, request.ip));
  }

  @Post('staff/:id/password')
  @RequirePermission('staff.manage')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a member’s password; every session of theirs ends' })
  async resetPassword(
    @CurrentPrincipal() principal: Principal,
    @Req() request: AuthenticatedRequest,
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: ResetPasswordDto,
  ): Promise<void> {
    await this.auth.resetPassword(principal, id, body.password, tokenOf(request), request.ip);
  }

  @Get('api-keys')
  @RequirePermission('staff.manage')
  async listApiKeys(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.auth.listApiKeys(principal)).map(apiKeyView) };
  }

  @Post('api-keys')
  @RequirePermission('staff.manage')
  @ApiOperation({ summary: 'Create a scoped API key for a service, within the caller’s permissions; the key is shown once, only its hash is stored' })
  async createApiKey(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Body() body: CreateApiKeyDto) {
    const { key, id } = await this.auth.createApiKey(principal, body.name, body.permissions, request.ip);
    return { id, key, name: body.name, permissions: body.permissions };
  }

  @Delete('api-keys/:id')
  @RequirePermission('staff.manage')
  @ApiOperation({ summary: 'Revoke an API key and every key made with it' })
  async revokeApiKey(@CurrentPrincipal() principal: Principal, @Req() request: FastifyRequest, @Param('id', new ParseUUIDPipe()) id: string) {
    const { key, revokedApiKeyIds } = await this.auth.revokeApiKey(principal, id, request.ip);
    return { ...apiKeyView(key), revokedApiKeyIds };
  }
}
