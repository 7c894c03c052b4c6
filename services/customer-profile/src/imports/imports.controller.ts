import { Controller, Logger, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Roles } from '@crm/auth';
import { CorrelationId, invalid, invalidFields, ParseOneOf, ParsePattern } from '@crm/service-kit';
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
  /** Set once the connection is gone. */
  readonly destroyed: boolean;
  once(event: 'drain' | 'close', listener: () => void): void;
}

/** A named import: what `importId` may be. */
const IMPORT_ID = /^[A-Za-z0-9._:-]{1,100}$/;

@ApiTags('imports')
@ApiBearerAuth()
@Controller('imports')
export class ImportsController {
  private readonly logger = new Logger(ImportsController.name);

  constructor(private readonly imports: ImportsService) {}

  @Post(':kind')
  @Roles('admin', 'integration')
  @ApiConsumes('text/csv')
  @ApiParam({ name: 'kind', enum: ['customers', 'purchases'] })
  @ApiQuery({
    name: 'importId',
    required: false,
    description:
      'Names the import (1-100 letters, digits, dots, dashes, colons or underscores): each batch records where ' +
      'the import stands, and sending the same file again under the same name continues after the last ' +
      'committed row',
  })
  @ApiOperation({
    summary:
      'Stream a CSV of customers or purchases; answers NDJSON: where a named import resumes, progress lines, ' +
      'one line per row error, a summary. No time limit: a stream that keeps sending is never cut.',
  })
  async import(
    @Param('kind', new ParseOneOf(['customers', 'purchases'] as const)) kind: ImportKind,
    @Query(
      'importId',
      new ParsePattern(IMPORT_ID, '1-100 letters, digits, dots, dashes, colons or underscores', {
        optional: true,
      }),
    )
    importId: string | undefined,
    @Req() request: StreamingRequest,
    @Res() response: StreamingResponse,
    @CorrelationId() correlationId: string,
  ): Promise<void> {
    const contentType = request.headers['content-type'] ?? '';
    if (!/^text\/csv\b/.test(contentType)) throw invalid('content-type', 'must be text/csv');
    const report = this.imports.run(kind, request, `import-${correlationId}`, importId);
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
    // A client that goes away (or stops reading) must not leave the import suspended at its next line: that
    // would keep its batch reader, and the hold on the service's events, until the hold's limit.
    let gone = response.destroyed;
    const closed = new Promise<void>((resolve) =>
      response.once('close', () => {
        gone = true;
        resolve();
      }),
    );
    const send = async (line: unknown) => {
      if (gone) return;
      if (!response.write(`${JSON.stringify(line)}\n`))
        await Promise.race([new Promise<void>((resolve) => response.once('drain', resolve)), closed]);
    };
    try {
      if (!first.done) await send(first.value);
      for await (const line of report) {
        // Leaving the loop ends the import (its generator's cleanup runs); what is committed stays.
        if (gone) break;
        await send(line);
      }
    } catch (error) {
      // The status is sent already: the report says the import stopped, and a named import can continue.
      this.logger.error({ msg: 'import stopped', correlationId, err: error });
      await send({
        type: 'error',
        line: 0,
        field: 'import',
        message: `the import stopped on an internal error (correlation id ${correlationId}); rows reported so far are written${importId ? ', and sending the file again with the same importId continues after them' : ''}`,
      }).catch(() => undefined);
    }
    response.end();
  }
}
