import { Controller, Get, HttpCode, Injectable, Module, Req, Res, Global } from '@nestjs/common';
import { serveMetrics } from '@onevoice/observability';
import type { Request, Response } from 'express';

export interface CheckResult {
  ok: boolean;
  detail?: unknown;
}
type Check = () => Promise<CheckResult> | CheckResult;

/** What must be true for this instance to take traffic; filled in at bootstrap. */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, Check>();

  register(name: string, check: Check): void {
    this.checks.set(name, check);
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
    const checks: Record<string, CheckResult> = {};
    for (const [name, check] of this.checks) {
      try {
        checks[name] = await check();
      } catch (err) {
        checks[name] = { ok: false, detail: (err as Error).message };
      }
    }
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }
}

@Controller('health')
export class HealthController {
  constructor(private readonly registry: ReadinessRegistry) {}

  /** Liveness: the process answers. */
  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: the database answers and the consumer owns its partitions. */
  @Get('ready')
  async ready(@Res({ passthrough: true }) res: Response) {
    const result = await this.registry.evaluate();
    res.status(result.ready ? 200 : 503);
    return { status: result.ready ? 'ready' : 'not_ready', ...result };
  }
}

/** Prometheus metrics: what the service counts (README, "Traces, metrics and logs"). */
@Controller('metrics')
export class MetricsController {
  @Get()
  metrics(@Req() req: Request, @Res() res: Response): void {
    serveMetrics(req, res);
  }
}

@Global()
@Module({
  controllers: [HealthController, MetricsController],
  providers: [ReadinessRegistry],
  exports: [ReadinessRegistry],
})
export class HealthModule {}
