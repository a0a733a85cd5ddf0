import { Catch, type RpcExceptionFilter } from '@nestjs/common';
import { throwError, type Observable } from 'rxjs';

/**
 * Nest turns an error thrown by a message handler into a generic "Internal server error". The
 * Kafka transport needs the error itself: to tell a transient failure from a poison message, and
 * to put the real reason on the dead letter. Install on the microservice, not the HTTP app.
 */
@Catch()
export class RpcErrorPassthroughFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown): Observable<never> {
    return throwError(() => exception);
  }
}
