import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { Roles } from '@crm/auth';
import { LimitQueryDto } from '@crm/service-kit';
import { AuditEntryView, PersonalDataAudit } from './personal-data-audit';

export class AuditQueryDto extends LimitQueryDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() customerId?: string;
}

@ApiTags('personal data audit')
@ApiBearerAuth()
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: PersonalDataAudit) {}

  @Get('personal-data')
  @Roles('admin')
  @ApiOperation({
    summary: 'Who revealed or erased whose personal data, when, which fields and why; newest first',
  })
  @ApiOkResponse({ type: AuditEntryView, isArray: true })
  list(@Query() query: AuditQueryDto): Promise<AuditEntryView[]> {
    return this.audit.list(query.customerId, query.limit ?? 100);
  }
}
