import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';
import { IsOneOf, LOCALES, type Locale } from '@crm/contracts';
import { Roles, type Principal } from '@crm/auth';
import { CurrentPrincipal, invalid } from '@crm/service-kit';
import { MAX_TEMPLATE_LENGTH } from './template-renderer';
import { TemplatesService } from './templates.service';

class PutTemplateDto {
  @ApiProperty({ example: 'We miss you' }) @IsString() @Length(1, 500) subject: string;
  @ApiProperty({ example: 'A recall benefit is waiting for you: {{ links.offer }}' })
  @IsString()
  @Length(1, MAX_TEMPLATE_LENGTH)
  body: string;
}

class PreviewTemplateDto {
  @ApiProperty({ enum: LOCALES }) @IsOneOf(LOCALES) locale: Locale;
  @ApiPropertyOptional({ description: 'Overrides of the sample variables: customer, touch, links' })
  @IsOptional()
  @IsObject()
  variables?: Record<string, Record<string, string>>;
}

const TEMPLATE_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;

function checkId(id: string): string {
  if (!TEMPLATE_ID.test(id))
    throw invalid('id', 'a template id is 1-64 lower-case letters, digits and dashes');
  return id;
}

@ApiTags('templates')
@ApiBearerAuth()
@Controller('templates')
export class TemplatesController {
  constructor(private readonly templates: TemplatesService) {}

  @Get()
  @Roles('admin', 'agent', 'analyst')
  @ApiOperation({ summary: 'Every template in every locale' })
  list() {
    return this.templates.list();
  }

  @Get(':id')
  @Roles('admin', 'agent', 'analyst')
  @ApiOperation({ summary: "A template's versions, one per locale" })
  get(@Param('id') id: string) {
    return this.templates.get(checkId(id));
  }

  @Put(':id/:locale')
  @Roles('admin')
  @ApiOperation({
    summary:
      'Write a template in one locale (Liquid); 400 names the field and the line and column of a problem',
  })
  put(
    @Param('id') id: string,
    @Param('locale') locale: string,
    @Body() dto: PutTemplateDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    if (!(LOCALES as readonly string[]).includes(locale))
      throw invalid('locale', `locale must be one of: ${LOCALES.join(', ')}`);
    return this.templates.put(checkId(id), locale as Locale, dto, principal.sub);
  }

  @Post(':id/preview')
  @HttpCode(200)
  @Roles('admin', 'agent', 'analyst')
  @ApiOperation({ summary: 'Render a template with sample variables (or yours), with no side effects' })
  preview(@Param('id') id: string, @Body() dto: PreviewTemplateDto) {
    return this.templates.preview(checkId(id), dto.locale, dto.variables ?? {});
  }
}
