import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createZodDto } from 'nestjs-zod';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { attachment } from '../http/attachment';
import { HistoryQueryDto } from './balances.schemas';
import { TransactionsExportService } from './transactions-export.service';

/**
 * The history's filters (currency, type, from, to), without its paging: the export is the whole of what they match. A
 * date before 1970 is refused: PostgreSQL has no year 0, which `0000-01-01T00:00:00Z` would send (a 500).
 */
export class TransactionsExportQueryDto extends createZodDto(
  HistoryQueryDto.schema
    .omit({ cursor: true, limit: true })
    .refine((query) => query.from === undefined || Date.parse(query.from) >= 0, { path: ['from'], message: 'must be 1970-01-01 or later' })
    .refine((query) => query.to === undefined || Date.parse(query.to) >= 0, { path: ['to'], message: 'must be 1970-01-01 or later' }),
) {}

@ApiTags('balances')
@ApiBearerAuth()
@Controller('api/clients/:clientId')
export class TransactionsExportController {
  constructor(private readonly exports: TransactionsExportService) {}

  @Get('transactions.csv')
  @RequirePermission('balance.view')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The client’s ledger entries matching the history’s filters, oldest first, as a streamed CSV download' })
  async csv(
    @CurrentPrincipal() principal: Principal,
    @Param('clientId') clientId: string,
    @Query() query: TransactionsExportQueryDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { fileName, stream } = await this.exports.csv(principal, clientId, query);
    await reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', attachment(fileName)).send(stream);
  }
}
