import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { metricsScrapeAllowed, scrapeMetrics } from '@storecredit/observability';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/permissions';
import { gatewayConfigToken, type GatewayConfig } from '../gateway.config';
import { ApiError } from '../http/api-error';
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

/**
 * Prometheus's scrape. Without METRICS_TOKEN it is open like health, so a proxy in front of the gateway should not
 * route /metrics from outside; with it, a scrape must bring it as a bearer token.
 */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(gatewayConfigToken) private readonly config: GatewayConfig) {}

  @Get()
  @Public()
  async metrics(@Headers('authorization') authorization: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    if (!metricsScrapeAllowed(authorization, this.config.metricsToken)) {
      const refusal = new ApiError('unauthenticated', undefined, 'This scrape needs the METRICS_TOKEN as a bearer token');
      void reply.status(refusal.status).header('www-authenticate', 'Bearer').send({ error: refusal.body() });
      return;
    }
    const { contentType, text } = await scrapeMetrics();
    void reply.header('content-type', contentType).header('cache-control', 'no-store').send(text);
  }
}
