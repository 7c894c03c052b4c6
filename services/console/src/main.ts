import { Logger } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { localServiceUrls } from '@crm/contracts';
import { JwtAuthGuard } from '@crm/auth';
import { loadConfig } from '@crm/config';
import { collectProcessMetrics, serviceLogger } from '@crm/observability';
import { createValidationPipe, HttpProblemFilter, localDefaults, tokenVerifier } from '@crm/service-kit';
import { Logger as PinoNestLogger, PinoLogger } from 'nestjs-pino';
import { CONSOLE_DEFAULTS, CONSOLE_PORT, CONSOLE_PREFIX, ConsoleConfig } from './console.config';
import { ConsoleModule } from './console.module';

/** dist/console-web, built by `npm run build` (vite), next to the compiled service. */
const WEB_DIR = join(__dirname, '..', '..', '..', 'console-web');

async function main(): Promise<void> {
  let config: ConsoleConfig;
  try {
    config = loadConfig(ConsoleConfig, process.env, {
      ...CONSOLE_DEFAULTS,
      CONSOLE_WEB_DIR: WEB_DIR,
      ...localDefaults({
        PORT: String(CONSOLE_PORT),
        SERVICE_URLS: localServiceUrls(),
        KAFKA_BROKERS: '127.0.0.1:9092',
      }),
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
  collectProcessMetrics('console');
  const logger = new PinoNestLogger(new PinoLogger({ pinoHttp: { logger: serviceLogger('console') } }), {});
  const app = await NestFactory.create(ConsoleModule.with(config), { logger });
  app.setGlobalPrefix(CONSOLE_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpProblemFilter());
  app.useGlobalGuards(new JwtAuthGuard(app.get(Reflector), tokenVerifier(config)));
  SwaggerModule.setup(
    `${CONSOLE_PREFIX}/docs`,
    app,
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder().setTitle('crm console').setVersion('1').addBearerAuth().build(),
    ),
    { jsonDocumentUrl: `${CONSOLE_PREFIX}/docs/openapi.json` },
  );

  // The web app: its files, and index.html for every page path (the router lives in the browser).
  if (!existsSync(join(config.CONSOLE_WEB_DIR, 'index.html')))
    throw new Error(`${config.CONSOLE_WEB_DIR}/index.html is missing: run \`npm run build\` first`);
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.use(`/${CONSOLE_PREFIX}`, express.static(config.CONSOLE_WEB_DIR, { index: false, maxAge: '1h' }));
  http.get(/^\/console(\/(?!api\/|docs).*)?$/, (_request, response) => {
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(join(config.CONSOLE_WEB_DIR, 'index.html'));
  });
  http.get('/', (_request, response) => response.redirect(`/${CONSOLE_PREFIX}/`));

  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.PORT, '0.0.0.0');
  Logger.log(
    { msg: 'console started', url: `http://127.0.0.1:${config.PORT}/${CONSOLE_PREFIX}/` },
    'Bootstrap',
  );
}

main().catch((error: Error) => {
  serviceLogger('console').fatal({ msg: 'console failed to start', err: error, context: 'Bootstrap' });
  process.exit(1);
});
