import {
  Body,
  Controller,
  ForbiddenException,
  GoneException,
  Get,
  HttpCode,
  HttpException,
  HttpStatus,
  Ip,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '@crm/auth';
import { ServiceClock } from '@crm/persistence';
import { CorrelationId, invalid, verifyLinkToken } from '@crm/service-kit';
import { FeedbackConfig } from '../feedback.config';
import { AnswerSurveyDto } from './answer-survey.dto';
import { SurveysService } from './surveys.service';

const QUESTIONS = {
  csat: { question: 'How satisfied are you with our service?', min: 1, max: 5 },
  nps: { question: 'How likely are you to recommend us to a friend or colleague?', min: 0, max: 10 },
} as const;

/** A fixed window per key: at most `limit` calls a minute. Memory is bounded by pruning old windows. */
class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly limit: number) {}

  /** Milliseconds to wait, or 0 when the call may go ahead. */
  take(key: string, now = Date.now()): number {
    if (this.windows.size > 50_000)
      for (const [k, w] of this.windows) if (now - w.start >= 60_000) this.windows.delete(k);
    const window = this.windows.get(key);
    if (!window || now - window.start >= 60_000) {
      this.windows.set(key, { start: now, count: 1 });
      return 0;
    }
    if (window.count >= this.limit) return 60_000 - (now - window.start);
    window.count += 1;
    return 0;
  }
}

/**
 * The survey a customer answers from the link in their e-mail: no staff token, only the signed one-time
 * token the link carries (it names the survey, not the person, and expires). Rate-limited per client
 * address; an answer is recorded once (a second answers 409).
 */
@ApiTags('surveys')
@Controller('public/surveys')
export class PublicSurveysController {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly surveys: SurveysService,
    private readonly config: FeedbackConfig,
    private readonly clock: ServiceClock,
  ) {
    this.limiter = new RateLimiter(config.PUBLIC_RATE_LIMIT_PER_MINUTE);
  }

  @Public()
  @Get(':token')
  @ApiOperation({ summary: "The survey behind an answer link: its question and scale (no customer's data)" })
  async show(@Param('token') token: string, @Ip() ip: string) {
    const surveyId = await this.check(token, ip);
    const survey = await this.surveys.publicView(surveyId);
    return { ...QUESTIONS[survey.kind], kind: survey.kind, status: survey.status, items: survey.items };
  }

  @Public()
  @Post(':token/answer')
  @HttpCode(200)
  @ApiOperation({ summary: 'Answer the survey behind an answer link, once' })
  async answer(
    @Param('token') token: string,
    @Body() dto: AnswerSurveyDto,
    @Ip() ip: string,
    @CorrelationId() correlationId: string,
  ) {
    const surveyId = await this.check(token, ip);
    const answered = await this.surveys.answer(surveyId, dto, correlationId);
    return { kind: answered.kind, score: answered.score, thanks: true };
  }

  private async check(token: string, ip: string): Promise<string> {
    const wait = this.limiter.take(`ip:${ip}`);
    if (wait > 0)
      throw new HttpException(
        {
          statusCode: 429,
          error: 'Too Many Requests',
          message: `too many requests; try again in ${Math.ceil(wait / 1000)} s`,
        },
        HttpStatus.TOO_MANY_REQUESTS,
      );
    const secret = this.config.SURVEY_LINK_SECRET;
    if (!secret)
      throw new NotFoundException('survey answer links are not configured here (SURVEY_LINK_SECRET)');
    const checked = verifyLinkToken(secret, token, await this.clock.now());
    if (checked.ok) return checked.subject;
    if (checked.reason === 'malformed') throw invalid('token', 'is not a survey answer token');
    if (checked.reason === 'forged') throw new ForbiddenException('this link was not issued by us');
    throw new GoneException('this survey link has expired');
  }
}
