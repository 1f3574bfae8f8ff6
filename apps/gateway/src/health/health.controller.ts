import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
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
}
