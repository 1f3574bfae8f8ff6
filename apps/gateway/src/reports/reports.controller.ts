import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { attachment } from '../http/attachment';
import { LiabilityQueryDto } from './reports.schemas';
import { ReportsService } from './reports.service';

@ApiTags('reports')
@ApiBearerAuth()
@Controller('api/reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('liability')
  @RequirePermission('reports.view')
  @ApiOperation({ summary: 'Outstanding store credit at asOf by source, age and expiry; unredeemed gift cards; breakage by month; bonus granted vs consumed' })
  liability(@CurrentPrincipal() principal: Principal, @Query() query: LiabilityQueryDto) {
    return this.reports.liability(principal, query);
  }

  @Get('liability.csv')
  @RequirePermission('reports.view')
  @ApiOperation({ summary: 'The liability report’s tables as one CSV download' })
  async liabilityCsv(@CurrentPrincipal() principal: Principal, @Query() query: LiabilityQueryDto, @Res({ passthrough: true }) reply: FastifyReply) {
    const { fileName, csv } = await this.reports.liabilityCsv(principal, query);
    void reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(fileName));
    return csv;
  }
}
