import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CustomersService } from './customers.service';

/** After start, indexes the names of customers registered before the name index existed (in the background). */
@Injectable()
export class NameIndexBackfill implements OnApplicationBootstrap {
  private readonly logger = new Logger(NameIndexBackfill.name);
  running?: Promise<number>;

  constructor(private readonly customers: CustomersService) {}

  onApplicationBootstrap(): void {
    this.running = this.customers.indexNames().then(
      (indexed) => {
        if (indexed > 0) this.logger.log({ msg: 'name index filled for earlier customers', indexed });
        return indexed;
      },
      (error: Error) => {
        this.logger.warn({
          msg: 'name index backfill stopped; it resumes at the next start',
          err: error.message,
        });
        return 0;
      },
    );
  }
}
