import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from '@storecredit/observability';

/**
 * Exports the last spans before a stopped worker exits (nothing to do when tracing is off). A collector that cannot
 * be reached costs those spans, never the clean stop.
 */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  private readonly logger = new Logger(TracingFlush.name);

  async onApplicationShutdown(): Promise<void> {
    await flushTracing().catch((error: Error) => this.logger.warn(error.message));
  }
}
