import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length } from 'class-validator';
import { IsOneOf } from '@crm/contracts';
import { Roles, type Principal } from '@crm/auth';
import { CorrelationId, CurrentPrincipal, invalid, ParsePattern, ParseUuid } from '@crm/service-kit';
import {
  CustomersService,
  DELIVERY_CHANNELS,
  type CustomerView,
  type DeliveryChannel,
} from './customers.service';
import { SubjectAccessExport, SubjectAccessExportView } from './subject-access-export';
import { PERSONAL_FIELDS, type PersonalField } from './personal-data-audit';
import { RegisterCustomerDto, SetConsentsDto, SetOwnerDto, UpdateCustomerDto } from './register-customer.dto';

const uuid = new ParseUuid();
// Every route that answers a customer masks personal data; seeing it is an explicit, audited act
// (`POST /customers/:id/reveal` with a reason).

export class RevealPersonalDataDto {
  @ApiProperty({ example: 'customer called about order SO-2024-0001 and asked to confirm the address' })
  @IsString()
  @Length(5, 500)
  reason: string;
  @ApiPropertyOptional({ enum: PERSONAL_FIELDS, isArray: true, description: 'Defaults to every field' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(PERSONAL_FIELDS.length)
  @IsOneOf(PERSONAL_FIELDS, { each: true })
  fields?: PersonalField[];
}

export class DeliveryAddressDto {
  @ApiProperty({ enum: DELIVERY_CHANNELS }) @IsOneOf(DELIVERY_CHANNELS) channel: DeliveryChannel;
  @ApiProperty({ example: 'care action 1d6f7a3e-2b9c-4c1d-9f8e-5a4b3c2d1e0f' })
  @IsString()
  @Length(5, 500)
  reason: string;
}

export class NameSearchDto {
  @ApiProperty({ example: 'Wang Lei', description: 'The exact name; case and spacing do not matter' })
  @IsString()
  @Length(1, 200)
  name: string;
}

export class SubjectAccessRequestDto {
  @ApiProperty({ example: 'access request of 2026-11-02 under GDPR art. 15, ticket DSR-118' })
  @IsString()
  @Length(5, 500)
  reason: string;
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('customers')
export class CustomersController {
  constructor(
    private readonly customers: CustomersService,
    private readonly subjectAccessExport: SubjectAccessExport,
  ) {}

  @Post()
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Register a customer; 409 names a duplicate externalRef or email' })
  register(@Body() dto: RegisterCustomerDto, @CorrelationId() correlationId: string): Promise<CustomerView> {
    return this.customers.register(dto, correlationId);
  }

  @Get()
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({ summary: 'Find a customer by external reference (such as C2024001)' })
  @ApiQuery({ name: 'externalRef', required: true })
  findByExternalRef(@Query('externalRef') externalRef: string | undefined): Promise<CustomerView> {
    if (!externalRef) throw invalid('externalRef', 'is required');
    return this.customers.findByExternalRef(externalRef);
  }

  @Post('search')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({
    summary:
      'Find customers by their exact name (a blind index; the name travels in the body, never in a URL); answered masked',
  })
  async findByName(@Body() dto: NameSearchDto): Promise<{ customers: CustomerView[] }> {
    return { customers: await this.customers.findByName(dto.name) };
  }

  @Get(':id')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: 'A customer, personal data masked (POST /customers/:id/reveal shows it, audited)',
  })
  get(@Param('id', uuid) id: string): Promise<CustomerView> {
    return this.customers.get(id);
  }

  @Patch(':id')
  @Roles('agent')
  update(
    @Param('id', uuid) id: string,
    @Body() dto: UpdateCustomerDto,
    @CorrelationId() correlationId: string,
  ): Promise<CustomerView> {
    return this.customers.update(id, dto, correlationId);
  }

  @Put(':id/owner')
  @Roles('agent', 'admin', 'integration')
  @ApiOperation({
    summary: "Assign the account owner, who gets the customer's tasks (missed cadences, follow-ups)",
  })
  setOwner(
    @Param('id', uuid) id: string,
    @Body() dto: SetOwnerDto,
    @CorrelationId() correlationId: string,
  ): Promise<CustomerView> {
    return this.customers.setOwner(id, dto.owner, correlationId);
  }

  @Put(':id/consents')
  @Roles('agent', 'integration')
  @ApiOperation({ summary: 'Grant or withdraw consent per channel and purpose' })
  setConsents(
    @Param('id', uuid) id: string,
    @Body() dto: SetConsentsDto,
    @CorrelationId() correlationId: string,
  ): Promise<CustomerView> {
    return this.customers.setConsents(id, dto, correlationId);
  }

  @Post(':id/reveal')
  @HttpCode(200)
  @Roles('agent')
  @ApiOperation({
    summary: 'Reveal personal data for a stated reason; who, when, which fields and why go to the audit log',
  })
  reveal(
    @Param('id', uuid) id: string,
    @Body() dto: RevealPersonalDataDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CustomerView> {
    return this.customers.reveal(id, principal.sub, dto.reason, dto.fields ?? [...PERSONAL_FIELDS]);
  }

  @Post(':id/delivery-address')
  @HttpCode(200)
  @Roles('integration')
  @ApiOperation({
    summary:
      'The address a touch is sent to, for a channel driver (growth-campaigns); audited as `deliver` with the reason',
  })
  deliveryAddress(
    @Param('id', uuid) id: string,
    @Body() dto: DeliveryAddressDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ channel: DeliveryChannel; address: string | null }> {
    return this.customers.deliveryAddress(id, principal.sub, dto.channel, dto.reason);
  }

  @Post(':id/subject-access')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({
    summary:
      'Everything the platform holds about one customer, each service answering its part, as JSON; audited. 502 names any service that did not answer',
  })
  @ApiOkResponse({ type: SubjectAccessExportView })
  subjectAccess(
    @Param('id', uuid) id: string,
    @Body() dto: SubjectAccessRequestDto,
    @CurrentPrincipal() principal: Principal,
    @Headers('authorization') authorization: string,
    @CorrelationId() correlationId: string,
  ): Promise<SubjectAccessExportView> {
    return this.subjectAccessExport.export(id, {
      actor: principal.sub,
      reason: dto.reason,
      authorization,
      correlationId,
    });
  }

  @Delete(':id/personal-data')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: "Erase a customer's personal data (destroys the data key; every service purges)" })
  async erase(
    @Param('id', uuid) id: string,
    @CorrelationId() correlationId: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.customers.erase(id, correlationId, principal.sub);
  }
}

@ApiTags('customers')
@ApiBearerAuth()
@Controller('owners')
export class OwnersController {
  constructor(private readonly customers: CustomersService) {}

  @Get(':owner/customers')
  @Roles('agent', 'analyst', 'integration')
  @ApiOperation({
    summary: "An account owner's customers by reference (personal data masked), at most `limit`",
  })
  @ApiQuery({ name: 'limit', required: false, description: '1-200, default 50' })
  ownedBy(
    @Param(
      'owner',
      new ParsePattern(
        /^[A-Za-z0-9._@-]{1,64}$/,
        'an owner id: 1-64 letters, digits, dots, dashes, underscores or @',
      ),
    )
    owner: string,
    @Query('limit') limit: string | undefined,
  ) {
    const count = limit === undefined ? 50 : Number(limit);
    if (!Number.isInteger(count) || count < 1 || count > 200)
      throw invalid('limit', 'must be a whole number from 1 to 200');
    return this.customers.ownedBy(owner, count);
  }
}
