import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { CreateClientDto, SearchClientsDto, UpdateClientDto } from './clients.schemas';
import { ClientsService } from './clients.service';

@ApiTags('clients')
@ApiBearerAuth()
@Controller('api/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'Search the business’s clients by name, phone, email or external id' })
  search(@CurrentPrincipal() principal: Principal, @Query() query: SearchClientsDto) {
    return this.clients.search(principal, query.q, query.cursor, query.limit);
  }

  @Post()
  @RequirePermission('balance.add')
  @ApiOperation({ summary: 'Add a client to the directory (the id may be the host system’s own)' })
  create(@CurrentPrincipal() principal: Principal, @Body() body: CreateClientDto) {
    return this.clients.create(principal, body);
  }

  @Patch(':clientId')
  @RequirePermission('balance.add')
  @ApiOperation({ summary: 'Change a client’s name, phone, email or external id (null clears an optional one)' })
  update(@CurrentPrincipal() principal: Principal, @Param('clientId') id: string, @Body() body: UpdateClientDto) {
    return this.clients.update(principal, id, body);
  }

  @Get(':clientId')
  @RequirePermission('balance.view')
  get(@CurrentPrincipal() principal: Principal, @Param('clientId') id: string) {
    return this.clients.get(principal, id);
  }
}
