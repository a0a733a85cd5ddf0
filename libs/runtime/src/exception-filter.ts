import { Catch, HttpException, Logger, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { isTransientError, RpcErrorPassthroughFilter } from '@onevoice/messaging';
import type { Response } from 'express';
import type { Observable } from 'rxjs';

/** How long a caller turned away because Kafka or Postgres is away is asked to wait. */
const RETRY_AFTER_SECONDS = 5;

/**
 * HTTP errors a controller raises get Nest's usual responses. Anything else an HTTP caller would
 * have met as Nest's bare `{"statusCode":500}` gets the shape of every other error here: 503
 * with `Retry-After` when Kafka or Postgres cannot be reached (sending the same request again is
 * safe: events are taken once by id), otherwise 500, logged with its stack. Errors from message
 * handlers go back to the Kafka transport unchanged (Nest would turn them into a generic
 * "Internal server error"), so it can tell a transient failure from a poison message and put the
 * real reason on the dead letter.
 */
@Catch()
export class ServiceExceptionFilter extends BaseExceptionFilter {
  private readonly rpc = new RpcErrorPassthroughFilter();
  private readonly log = new Logger('HTTP');

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return this.rpc.catch(exception);
    const res = host.getType() === 'http' ? host.switchToHttp().getResponse<Response>() : undefined;
    if (exception instanceof HttpException || !res || res.headersSent) {
      super.catch(exception, host);
      return;
    }
    const message = exception instanceof Error ? exception.message : String(exception);
    if (isTransientError(exception)) {
      this.log.warn({
        msg: 'turned a request away: a backing service is unreachable',
        error: message,
      });
      res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
      res.status(503).json({
        error: 'unavailable',
        message: `Kafka or the database cannot be reached just now; send the same request again in a few seconds (${message})`,
      });
      return;
    }
    this.log.error({
      msg: 'request failed',
      error: message,
      stack: exception instanceof Error ? exception.stack : undefined,
    });
    res.status(500).json({
      error: 'internal_error',
      message: 'the request failed unexpectedly; the service log has the details',
    });
  }
}
