import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, invalid, ParseUuid } from '@crm/service-kit';
import { CustomersService, type CustomerView } from './customers.service';
import { RegisterCustomerDto, SetConsentsDto, UpdateCustomerDto } from './register-customer.dto';

const uuid = new ParseUuid();
/** Every route that answers a customer masks personal data the same way: shown to agents and admins only. */
const reveals = (principal: Principal) => principal.roles.some((r) => r === 'agent' || r === 'admin');

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Post()
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Register a customer; 409 names a duplicate externalRef or email' })
  register(
    @Body() dto: RegisterCustomerDto,
    @CorrelationId() correlationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerView> {
    return this.customers.register(dto, correlationId, reveals(principal));
  }

  @Get()
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Find a customer by external reference (such as C2024001)' })
  @ApiQuery({ name: 'externalRef', required: true })
  findByExternalRef(
    @Query('externalRef') externalRef: string | undefined,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerView> {
    if (!externalRef) throw invalid('externalRef', 'is required');
    return this.customers.findByExternalRef(externalRef, reveals(principal));
  }

  @Get(':id')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'A customer; personal data is shown to agents and admins, masked for others' })
  get(@Param('id', uuid) id: string, @CurrentPrincipal() principal: Principal): Promise<CustomerView> {
    return this.customers.get(id, reveals(principal));
  }

  @Patch(':id')
  @Roles('agent')
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateCustomerDto,
    @CorrelationId() correlationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerView> {
    return this.customers.update(id, dto, correlationId, reveals(principal));
  }

  @Put(':id/consents')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Grant or withdraw consent per channel and purpose' })
  setConsents(
    @Param('id', uuid) id: string,
    @Body() dto: SetConsentsDto,
    @CorrelationId() correlationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerView> {
    return this.customers.setConsents(id, dto, correlationId, reveals(principal));
  }

  @Delete(':id/personal-data')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: "Erase a customer's personal data (destroys the data key; every service purges)" })
  async erase(@Param('id', uuid) id: string, @CorrelationId() correlationId: string): Promise<void> {
    await this.customers.erase(id, correlationId);
  }
}
