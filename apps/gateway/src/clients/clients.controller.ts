import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { v7 as uuidv7 } from 'uuid';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { clientView, ClientsRepository } from './clients.repository';
import { CreateClientDto, SearchClientsDto, UpdateClientDto } from './clients.schemas';

@ApiTags('clients')
@ApiBearerAuth()
@Controller('api/clients')
export class ClientsController {
  constructor(private readonly clients: ClientsRepository) {}

  @Get()
  @RequirePermission('balance.view')
  @ApiOperation({ summary: 'Search the business’s clients by name, phone, email or external id' })
  search(@CurrentPrincipal() principal: Principal, @Query() query: SearchClientsDto) {
    return this.clients.search(principal.businessId, query.q, query.cursor, query.limit);
  }

  @Post()
  @RequirePermission('balance.add')
  @ApiOperation({ summary: 'Add a client to the directory (the id may be the host system’s own)' })
  async create(@CurrentPrincipal() principal: Principal, @Body() body: CreateClientDto) {
    const created = await this.clients.create(principal.businessId, { ...body, id: body.id ?? uuidv7() });
    if (!created) throw new ApiError('client_exists', { field: 'id' }, 'A client with this id or external id already exists');
    return clientView(created);
  }

  @Patch(':clientId')
  @RequirePermission('balance.add')
  @ApiOperation({ summary: 'Change a client’s name, phone, email or external id (null clears an optional one)' })
  async update(@CurrentPrincipal() principal: Principal, @Param('clientId') id: string, @Body() body: UpdateClientDto) {
    const update = await this.clients.update(principal.businessId, id, body);
    if (update.outcome === 'not_found') throw new ApiError('not_found', undefined, 'Client not found');
    if (update.outcome === 'duplicate_external_id') throw new ApiError('client_exists', { field: 'externalId' });
    return clientView(update.client);
  }

  @Get(':clientId')
  @RequirePermission('balance.view')
  async get(@CurrentPrincipal() principal: Principal, @Param('clientId') id: string) {
    const client = await this.clients.find(principal.businessId, id);
    if (!client) throw new ApiError('not_found', undefined, 'Client not found');
    return clientView(client);
  }
}
