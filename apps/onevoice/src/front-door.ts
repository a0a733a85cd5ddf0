import type { INestApplication } from '@nestjs/common';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/** A service's HTTP routes, as its Nest application declared them. */
export interface RoutedService {
  name: string;
  app: INestApplication;
}

interface RouteLayer {
  route?: { _handlesMethod(method: string): boolean };
  match(path: string): boolean;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * One port for the five services: each request goes to the service that declared its route
 * (`POST /v1/events` to ingest, `GET /v1/customers/:id/timeline` to the coordinator, …), found in
 * the services' own Express routers, so the paths stay those of the distributed mode and a route
 * added to a service is served here without being listed. `extra` answers what belongs to the
 * host itself (health across the services, the log); what no one declared gets the first
 * service's 404.
 */
export function frontDoor(
  services: readonly RoutedService[],
  extra: (req: IncomingMessage, res: ServerResponse, path: string) => boolean,
): RequestListener {
  const handlers = services.map((s) => ({
    name: s.name,
    handle: s.app.getHttpAdapter().getInstance() as Handler,
    layers: () =>
      (
        s.app.getHttpAdapter().getInstance() as {
          router: { stack: RouteLayer[] };
        }
      ).router.stack,
  }));
  const owner = (method: string, path: string) => {
    for (const h of handlers) {
      for (const layer of h.layers()) {
        if (layer.route && layer.match(path) && layer.route._handlesMethod(method)) return h;
      }
    }
    return undefined;
  };
  return (req, res) => {
    const path = pathOf(req.url ?? '/');
    if (extra(req, res, path)) return;
    (owner(req.method ?? 'GET', path) ?? handlers[0]!).handle(req, res);
  };
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  const raw = q < 0 ? url : url.slice(0, q);
  try {
    return decodeURI(raw);
  } catch {
    return raw;
  }
}
