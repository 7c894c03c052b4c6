import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { CorrelationId, invalid, invalidFields, ParseOneOf } from '@crm/service-kit';
import type { ImportKind } from './import-rows';
import { ImportHeaderError, ImportsService } from './imports.service';

interface StreamingRequest extends AsyncIterable<Buffer> {
  headers: Record<string, string | undefined>;
}

interface StreamingResponse {
  status(code: number): StreamingResponse;
  setHeader(name: string, value: string): void;
  flushHeaders(): void;
  write(chunk: string): boolean;
  end(): void;
  once(event: 'drain', listener: () => void): void;
}

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post(':kind')
  @Roles('admin', 'integration')
  @ApiConsumes('text/csv')
  @ApiParam({ name: 'kind', enum: ['customers', 'purchases'] })
  @ApiOperation({
    summary:
      'Stream a CSV of customers or purchases; answers NDJSON: progress lines, one line per row error, a summary',
  })
  async import(
    @Param('kind', new ParseOneOf(['customers', 'purchases'] as const)) kind: ImportKind,
    @Req() request: StreamingRequest,
    @Res() response: StreamingResponse,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^text\/csv\b/.test(contentType)) throw invalid('content-type', 'must be text/csv');
    const report = this.imports.run(kind, request, `import-${correlationId}`);
    let first: IteratorResult<unknown>;
    try {
      first = await report.next();
    } catch (error) {
      if (error instanceof ImportHeaderError)
        throw invalidFields([{ field: 'header', messages: error.problems }]);
      throw error;
    }
    response.status(200);
    response.setHeader('content-type', 'application/x-ndjson');
    response.flushHeaders();
    const send = async (line: unknown) => {
      if (!response.write(`${JSON.stringify(line)}\n`))
        await new Promise<void>((resolve) => response.once('drain', resolve));
    };
    if (!first.done) await send(first.value);
    for await (const line of report) await send(line);
    response.end();
  }
}
