import { HttpException, Injectable } from '@nestjs/common';
import { SERVICE_CATALOG, type ConsumerGroupName } from '@crm/contracts';
import { ConsoleConfig } from './console.config';

/** An upstream answer that was not 2xx: the service's status and its problem body. */
export class UpstreamError extends Error {
  constructor(
    readonly service: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${service} answered ${status}`);
  }
}

/**
 * Calls the services' own APIs with the caller's own bearer token, so each service's roles and masking
 * decide what the console shows: the console never holds more rights than the person using it.
 */
@Injectable()
export class Upstream {
  private readonly bases = new Map<string, string>();

  constructor(private readonly config: ConsoleConfig) {
    for (const pair of config.SERVICE_URLS.split(',').filter(Boolean)) {
      const [name, url] = pair.split('=') as [string, string];
      const service = SERVICE_CATALOG.find((s) => s.name === name);
      if (!service) throw new Error(`SERVICE_URLS names "${name}", which is not a service of the catalog`);
      this.bases.set(name, `${url.replace(/\/+$/, '')}/${service.prefix}`);
    }
  }

  async call<T>(
    service: ConsumerGroupName,
    token: string,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const base = this.bases.get(service);
    if (!base) throw new UpstreamError(service, 503, { message: `no URL for ${service} in SERVICE_URLS` });
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.CONSOLE_UPSTREAM_TIMEOUT_MS),
      });
    } catch (error) {
      throw new UpstreamError(service, 503, {
        message: `${service} unreachable: ${(error as Error).message}`,
      });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = { message: text.slice(0, 200) };
    }
    if (!response.ok) throw new UpstreamError(service, response.status, parsed);
    return parsed as T;
  }

  /** The same call, a failure passed on to the browser as the service's own status and problem. */
  async relay<T>(...request: Parameters<Upstream['call']>): Promise<T> {
    try {
      return await this.call<T>(...request);
    } catch (error) {
      if (error instanceof UpstreamError)
        throw new HttpException(
          typeof error.body === 'object' && error.body !== null
            ? error.body
            : { statusCode: error.status, message: error.message },
          error.status,
        );
      throw error;
    }
  }
}
