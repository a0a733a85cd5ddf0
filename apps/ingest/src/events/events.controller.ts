import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  Post,
} from '@nestjs/common';
import { Topics, type IntentCatalogue, type Permissions } from '@onevoice/contracts';
import { EventPublisher, outbound, publishWithin } from '@onevoice/messaging';
import { DepartmentCredentials } from './credentials';
import { validateDepartmentEvent } from './department-event.validator';
import { PUBLISH_DEADLINE_MS, VALIDATION_OPTIONS, type ValidationOptions } from './events.tokens';
import { INTENT_CATALOGUE, PERMISSIONS } from '@onevoice/runtime';
import { Clock } from '@onevoice/clock';

/** Most events one request may carry. */
export const MAX_BATCH = 500;

@Controller('v1/events')
export class EventsController {
  constructor(
    private readonly clock: Clock,
    private readonly credentials: DepartmentCredentials,
    private readonly publisher: EventPublisher,
    @Inject(INTENT_CATALOGUE) private readonly catalogue: IntentCatalogue,
    @Inject(PERMISSIONS) private readonly permissions: Permissions,
    @Inject(VALIDATION_OPTIONS) private readonly validation: ValidationOptions,
    @Inject(PUBLISH_DEADLINE_MS) private readonly deadlineMs: number,
  ) {}

  /**
   * Accepts one CloudEvent, or a JSON array of them (all or nothing), from the department whose
   * credential is presented. 202 means every event is durably on `ov.events.v1`; the same event
   * id sent again is accepted again and processed once.
   */
  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  async publish(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<{ accepted: number; ids: string[] }> {
    const department = this.credentials.authenticate(authorization);
    const batch = Array.isArray(body);
    const items: unknown[] = batch ? body : [body];
    if (body === undefined) {
      throw new HttpException(
        {
          error: 'unsupported_media_type',
          field: 'Content-Type',
          message:
            'send the event as JSON with Content-Type: application/json (or application/cloudevents+json)',
        },
        HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      );
    }
    if (body === null || typeof body !== 'object') {
      throw new HttpException(
        {
          error: 'invalid_event',
          field: '(body)',
          message: 'send a CloudEvent object, or an array of them, as JSON',
        },
        HttpStatus.BAD_REQUEST,
      );
    }
    if (items.length === 0 || items.length > MAX_BATCH) {
      throw new HttpException(
        {
          error: 'invalid_batch',
          field: '(body)',
          message: `a batch holds 1 to ${MAX_BATCH} events`,
        },
        HttpStatus.BAD_REQUEST,
      );
    }
    const now = this.clock.now();
    const accepted = items.map((item, index) => {
      const at = batch ? `[${index}]` : '';
      const source = (item as { source?: unknown } | null)?.source;
      if (typeof source === 'string' && source !== department) {
        throw new HttpException(
          {
            error: 'source_mismatch',
            field: `${at}${at ? '.' : ''}source`,
            message: `the credential of "${department}" cannot publish as "${source}"`,
          },
          HttpStatus.FORBIDDEN,
        );
      }
      const result = validateDepartmentEvent(
        item,
        this.catalogue,
        this.permissions,
        now,
        this.validation,
      );
      if (!result.ok) {
        const prefix = (field: string) => (at ? `${at}.${field}` : field);
        if (result.forbidden)
          throw new HttpException(
            {
              error: 'not_permitted',
              field: prefix(result.rejection.field ?? 'type'),
              message: result.rejection.reason,
            },
            HttpStatus.FORBIDDEN,
          );
        throw new HttpException(
          {
            error: result.rejection.field === 'type' ? 'unknown_event_type' : 'invalid_event',
            field: prefix(result.rejection.field ?? '(root)'),
            message: result.rejection.reason,
            issues: result.rejection.issues?.map((i) => ({ ...i, field: prefix(i.field) })),
          },
          HttpStatus.BAD_REQUEST,
        );
      }
      return result.event;
    });
    await publishWithin(
      this.publisher,
      accepted.map((event) => outbound(Topics.events, event)),
      this.deadlineMs,
    );
    return { accepted: accepted.length, ids: accepted.map((e) => e.id) };
  }
}
