import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from './auth/permissions';
import { Database } from './database';

@ApiTags('operations')
@Controller('api/health')
export class HealthController {
  constructor(private readonly db: Database) {}

  @Get()
  @Public()
  async health() {
    const [row] = await this.db.query<{ pending: string }>('select count(*) as pending from outbox_message');
    return { status: 'ok', database: 'up', outboxPending: Number(row.pending) };
  }
}
