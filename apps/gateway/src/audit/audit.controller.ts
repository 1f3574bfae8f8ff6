import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { AuditQueryDto } from './audit.schemas';
import { AuditLog } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequirePermission('audit.view')
  @ApiOperation({
    summary:
      'Who did what outside the ledger, when and from which address (sign-ins, staff, API keys, gift cards, settings), newest first; owners only',
  })
  list(@CurrentPrincipal() principal: Principal, @Query() query: AuditQueryDto) {
    return this.audit.list(principal, query);
  }
}
