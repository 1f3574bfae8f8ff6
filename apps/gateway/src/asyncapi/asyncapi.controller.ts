import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/permissions';
import { AsyncApiService } from './asyncapi.service';

/** The Kafka contract, for the teams that produce commands and consume replies and events: public, like the OpenAPI. */
@ApiTags('contract')
@Controller('api')
export class AsyncApiController {
  constructor(private readonly service: AsyncApiService) {}

  @Get('asyncapi.json')
  @Public()
  @ApiOperation({ summary: 'The Kafka contract as an AsyncAPI 3.0 document' })
  document() {
    return this.service.json();
  }

  @Get('asyncapi')
  @Public()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The Kafka contract as a page: topics, messages, fields, headers, keys and examples' })
  page() {
    return this.service.html();
  }
}
