import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';

/** What a LISTEN on one channel of `DATABASE_URL` has heard (`channel:payload`), as it arrives. */
export interface HeardNotifications {
  heard: string[];
  /** Waits half a second, long enough for a notification sent at a commit to arrive. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export async function notificationsOn(channel: string): Promise<HeardNotifications> {
  const client = new Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const heard: string[] = [];
  client.on('notification', (n) => heard.push(`${n.channel}:${n.payload}`));
  await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
  return { heard, settle: () => sleep(500), close: () => client.end() };
}
