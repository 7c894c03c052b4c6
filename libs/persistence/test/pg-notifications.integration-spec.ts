import { Client } from 'pg';
import { PgNotifications } from '../src/pg-notifications';

/**
 * The shared LISTEN connection against real Postgres: many waiters start listening at once (as a service's
 * dispatchers and timers do when it boots), each on its own channel, and each then hears its own
 * notifications, with no query sent while another runs on the connection (node-pg deprecates that; pg 9
 * refuses it).
 */
describe('PgNotifications', () => {
  const url = process.env.DATABASE_URL!;

  it('takes any number of channels at once, one command at a time, and wakes each on its own', async () => {
    // Queries in flight on one connection at a time, the most seen.
    const inFlight = new Map<Client, number>();
    let most = 0;
    const query = Client.prototype.query;
    const spy = jest.spyOn(Client.prototype, 'query').mockImplementation(function (this: Client, ...args) {
      inFlight.set(this, (inFlight.get(this) ?? 0) + 1);
      most = Math.max(most, inFlight.get(this)!);
      const settle = () => inFlight.set(this, inFlight.get(this)! - 1);
      const result = (query as (...a: unknown[]) => Promise<unknown>).apply(this, args);
      result.then(settle, settle);
      return result as never;
    });
    const notifications = new PgNotifications(url);
    const sender = new Client({ connectionString: url });
    await sender.connect();
    try {
      const channels = Array.from({ length: 12 }, (_, i) => `spec_wake_${i}`);
      const heard = new Map<string, string[]>(channels.map((c) => [c, []]));
      // The first starts the connection; the rest arrive while it connects, then all at once after it is up.
      const first = channels.slice(0, 6);
      const later = channels.slice(6);
      await Promise.all(first.map((c) => notifications.listen(c, (payload) => heard.get(c)!.push(payload))));
      await Promise.all(later.map((c) => notifications.listen(c, (payload) => heard.get(c)!.push(payload))));
      for (const channel of channels)
        await sender.query('SELECT pg_notify($1, $2)', [channel, `to ${channel}`]);
      const deadline = Date.now() + 10_000;
      while ([...heard.values()].some((h) => h.length === 0) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(Object.fromEntries(heard)).toEqual(Object.fromEntries(channels.map((c) => [c, [`to ${c}`]])));
      expect(most).toBe(1);
    } finally {
      spy.mockRestore();
      await sender.end();
      await notifications.close();
    }
  });
});
