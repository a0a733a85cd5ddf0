import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '@onevoice/clock';
import type { ChannelAdapter, OutgoingMessage } from './channel-adapter';

/**
 * Letters go into a batch a print shop collects: one directory per day, one JSON file per letter,
 * named by the delivery's key and written atomically — writing it twice is writing it once.
 */
export class LetterBatchAdapter implements ChannelAdapter {
  readonly provider = 'letter-batch';
  readonly idempotent = true;

  constructor(
    private readonly dir: string,
    /** The day's batch is the dispatcher's day. */
    private readonly clock: Clock,
  ) {}

  async send(message: OutgoingMessage): Promise<{ providerMessageId: string }> {
    const existing = await this.find(message.idempotencyKey);
    if (existing) return { providerMessageId: existing };
    const day = this.clock.now().toISOString().slice(0, 10);
    const batch = join(this.dir, day);
    await mkdir(batch, { recursive: true });
    const file = join(batch, `${message.idempotencyKey}.json`);
    const letter = {
      deliveryId: message.deliveryId,
      // The print shop resolves the address from its customer reference; none is held here.
      customerRef: message.customerId,
      subject: message.subject,
      body: message.body,
    };
    await writeFile(`${file}.tmp`, JSON.stringify(letter, null, 2));
    await rename(`${file}.tmp`, file);
    return { providerMessageId: `${day}/${message.idempotencyKey}` };
  }

  async lookup(idempotencyKey: string) {
    const found = await this.find(idempotencyKey);
    return found ? { found: true as const, providerMessageId: found } : { found: false as const };
  }

  async erase(idempotencyKey: string): Promise<boolean> {
    const found = await this.find(idempotencyKey);
    if (!found) return false;
    await rm(join(this.dir, `${found}.json`), { force: true });
    return true;
  }

  private async find(key: string): Promise<string | undefined> {
    const days = await readdir(this.dir).catch(() => [] as string[]);
    for (const day of days.sort().reverse()) {
      const ok = await stat(join(this.dir, day, `${key}.json`)).then(
        () => true,
        () => false,
      );
      if (ok) return `${day}/${key}`;
    }
    return undefined;
  }
}
