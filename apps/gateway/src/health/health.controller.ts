import { Controller, Get, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { scrapeMetrics } from '@storecredit/observability';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/permissions';
import { HealthService } from './health.service';

@ApiTags('operations')
@Controller('api/health')
export class HealthController {
  constructor(private readonly service: HealthService) {}

  @Get()
  @Public()
  health() {
    return this.service.check();
  }

  /** The process answers HTTP: nothing else is checked, so a restart is never caused by a dependency being down. */
  @Get('live')
  @Public()
  live() {
    return { status: 'ok' };
  }

  /** 200 when PostgreSQL, the schema and Kafka are fine; 503 naming the check that failed. */
  @Get('ready')
  @Public()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const { status, body } = await this.service.ready();
    void reply.status(status);
    return body;
  }
}

/** Prometheus's scrape: public like health, so a proxy in front of the gateway should not route /metrics from outside. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Public()
  async metrics(@Res() reply: FastifyReply): Promise<void> {
    const { contentType, text } = await scrapeMetrics();
    void reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
  }
}
