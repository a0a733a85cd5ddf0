import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import type { Request } from 'express';
import type { Observable } from 'rxjs';

/**
 * Tells the HTTP server span which route served it, so traces read `POST /v1/events` rather
 * than `POST`, without naming spans after raw URLs (customer ids would explode cardinality).
 */
@Injectable()
export class HttpRouteTracingInterceptor implements NestInterceptor {
  intercept(execution: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (execution.getType() === 'http') {
      const rpc = getRPCMetadata(context.active());
      const route = (
        execution.switchToHttp().getRequest<Request>().route as { path?: string } | undefined
      )?.path;
      if (rpc?.type === RPCType.HTTP && route) rpc.route = route;
    }
    return next.handle();
  }
}
