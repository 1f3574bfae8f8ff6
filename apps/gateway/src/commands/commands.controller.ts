import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { StoredReply } from '@storecredit/contracts';
import { RequireSignIn } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { Database } from '../database';
import { ApiError } from '../http/api-error';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('api/commands')
export class CommandsController {
  constructor(private readonly db: Database) {}

  @Get(':commandId')
  @RequireSignIn()
  @ApiOperation({ summary: 'The status of a command: pending until the ledger has applied or rejected it' })
  async status(@CurrentPrincipal() principal: Principal, @Param('commandId') commandId: string) {
    const record = await this.db.one<{ reply: StoredReply }>(
      'select reply from idempotency_record where business_id = ? and command_id = ?',
      [principal.businessId, commandId],
    );
    if (record) {
      const { reply } = record;
      return reply.status === 'applied'
        ? { commandId, status: 'applied', commandType: reply.commandType, result: reply.result }
        : { commandId, status: 'rejected', commandType: reply.commandType, error: reply.error };
    }
    const submitted = await this.db.one<{ command_type: string }>(
      'select command_type from gateway_request where business_id = ? and command_id = ?',
      [principal.businessId, commandId],
    );
    if (!submitted) throw new ApiError('not_found', undefined, 'Command not found');
    return { commandId, status: 'pending', commandType: submitted.command_type };
  }
}
