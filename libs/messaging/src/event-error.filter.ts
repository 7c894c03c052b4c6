import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest's default RPC filter turns every handler error into "Internal server error". The transport needs
 * the real error to retry and to put the reason on the dead letter, so event handlers rethrow it as is.
 */
@Catch()
export class EventErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
