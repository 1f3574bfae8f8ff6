import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { flushTracing } from '@storecredit/observability';

/** Exports the last spans before a stopped worker exits (nothing to do when tracing is off). */
@Injectable()
export class TracingFlush implements OnApplicationShutdown {
  onApplicationShutdown(): Promise<void> {
    return flushTracing();
  }
}
