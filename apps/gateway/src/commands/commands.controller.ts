import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireSignIn } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CommandStatusService } from './command-status.service';

@ApiTags('commands')
@ApiBearerAuth()
@Controller('api/commands')
export class CommandsController {
  constructor(private readonly commands: CommandStatusService) {}

  @Get(':commandId')
  @RequireSignIn()
  @ApiOperation({ summary: 'The status of a command: pending until the ledger has applied or rejected it' })
  status(@CurrentPrincipal() principal: Principal, @Param('commandId') commandId: string) {
    return this.commands.status(principal, commandId);
  }
}
