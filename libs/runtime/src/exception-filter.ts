import { Catch, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { RpcErrorPassthroughFilter } from '@onevoice/messaging';
import type { Observable } from 'rxjs';

/**
 * HTTP errors get Nest's usual responses. Errors from message handlers go back to the Kafka
 * transport unchanged (Nest would turn them into a generic "Internal server error"), so it can
 * tell a transient failure from a poison message and put the real reason on the dead letter.
 */
@Catch()
export class ServiceExceptionFilter extends BaseExceptionFilter {
  private readonly rpc = new RpcErrorPassthroughFilter();

  override catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() === 'rpc') return this.rpc.catch(exception);
    super.catch(exception, host);
  }
}
