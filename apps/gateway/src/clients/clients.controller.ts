import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { createZodDto } from 'nestjs-zod';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { RequirePermission } from '../auth/permissions';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiError } from '../http/api-error';
import { pageSizeDefault, pageSizeMax } from '../http/pagination';
import { clientView, ClientsRepository } from './clients.repository';

const clientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1 to 128 letters, digits or . _ : @ -');

const clientName = z.string().trim().min(1).max(200);
const clientPhone = z.string().trim().min(3).max(40);
const clientEmail = z.email().max(200);
const clientExternalId = z.string().trim().min(1).max(128);

class CreateClientDto extends createZodDto(
  z.strictObject({
    id: clientId.optional(),
    name: clientName,
    phone: clientPhone.optional(),
    email: clientEmail.optional(),
    externalId: clientExternalId.optional(),
  }),
) {}

/** An edit names only what changes; null clears an optional field. The id never changes: entries refer to it. */
class UpdateClientDto extends createZodDto(
  z
    .strictObject({
      name: clientName.optional(),
      phone: clientPhone.nullable().optional(),
      email: clientEmail.nullable().optional(),
      externalId: clientExternalId.nullable().optional(),
    })
    .refine((body) => Object.values(body).some((value) => value !== undefined), 'name at least one of name, phone, email, externalId'),
) {}

class SearchClientsDto extends createZodDto(
  z.strictObject({
    q: z.string().max(200).optional(),
    cursor: z.string().max(500).optional(),
    limit: z.coerce.number().int().min(1).max(pageSizeMax).default(pageSizeDefault),
  }),
) {}

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
