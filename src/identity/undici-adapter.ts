import { AxiosError, AxiosHeaders, CanceledError } from 'axios';
import type { AxiosAdapter, AxiosResponse, InternalAxiosRequestConfig, RawAxiosHeaders } from 'axios';
import { Agent, type Dispatcher } from 'undici';

export interface UndiciTransportOptions {
  /** Connections per origin (default 128). */
  connections?: number;
  /** How long an idle connection stays pooled, unless the server asks for less (default 10 s). */
  keepAliveTimeoutMs?: number;
}

/** What `response.request` and `error.request` hold. No headers: they carry the vendor token, and errors get logged. */
interface RequestInfo {
  method: string;
  url: string;
}

type ResponseBody = Dispatcher.ResponseData['body'];

/** One call made without axios (see UndiciTransport.exchange): everything already resolved. */
export interface UpstreamExchange {
  method: string;
  /** `http(s)://host:port`, no path. */
  origin: string;
  /** Path and query, starting with `/`. */
  path: string;
  /** Every header to send, names in lower case. */
  headers: Record<string, string>;
  body?: string;
  /** Bound over the whole call, headers and body (> 0). */
  timeoutMs: number;
  /** Aborts the call (its reason is a CanceledError, as with axios). */
  signal?: AbortSignal;
  /** Larger answers fail with axios's maxContentLength error (-1: no limit). */
  maxContentLength: number;
}

/** What an exchange answers: the body parsed as JSON when it is JSON, else its text (as axios's transformResponse). */
export interface UpstreamAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  data: unknown;
}

// Strips a leading BOM, as axios does for utf8 bodies.
const utf8 = new TextDecoder();

/**
 * An axios adapter over one pooled undici `Agent`: callers keep axios (`HttpService`, interceptors,
 * transformRequest/transformResponse) and get undici's transport. Redirects are never followed.
 * The identity client's per-request calls skip axios altogether (`exchange`).
 *
 * Hand-written because axios's own transport costs more (issue 14, bench/compare.ts, scenario D,
 * two alternating 30 s runs each on 2026-12-02, server CPU µs per PATCH /v1/me): axios's `fetch`
 * adapter with an undici Agent as `fetchOptions.dispatcher` (and undici's fetch as `env.fetch`)
 * 3,915 and 2,872; axios with this adapter 1,232 and 848; `exchange`, without axios, 649 and 713.
 */
export class UndiciTransport {
  private readonly agent: Agent;

  readonly adapter: AxiosAdapter = (config) => this.send(config);

  constructor({ connections = 128, keepAliveTimeoutMs = 10_000 }: UndiciTransportOptions = {}) {
    this.agent = new Agent({ connections, keepAliveTimeout: keepAliveTimeoutMs, pipelining: 1 });
  }

  /**
   * One call straight on the pool, for the identity client's per-request calls: what axios costs
   * on top of its adapter (three config merges, AxiosHeaders built and normalised twice, the
   * interceptor chain, transformResponse) was 23 % of D's extra CPU over ceiling G, and the
   * adapter's own re-parsing of axios's config (a new URL, AxiosHeaders.toJSON) 8 % more (issue 14,
   * bench profile of 2026-12-02). Failures are the AxiosErrors the adapter gives, with the same
   * codes (ECONNABORTED on timeout, ERR_BAD_RESPONSE over maxContentLength, CanceledError when
   * `signal` aborts, the socket's code otherwise), so that upstream-errors.ts reads both alike.
   */
  async exchange(call: UpstreamExchange): Promise<UpstreamAnswer> {
    const request: RequestInfo = { method: call.method, url: call.origin + call.path };
    if (call.signal?.aborted) throw new CanceledError(undefined, undefined, request);
    const controller = new AbortController();
    const onCancel = () => controller.abort(new CanceledError(undefined, undefined, request));
    const timer = setTimeout(
      () => controller.abort(new AxiosError(`timeout of ${call.timeoutMs}ms exceeded`, AxiosError.ECONNABORTED, undefined, request)),
      call.timeoutMs,
    );
    call.signal?.addEventListener('abort', onCancel);
    try {
      const answer = await this.agent.request({
        origin: call.origin,
        path: call.path,
        method: call.method as Dispatcher.HttpMethod,
        headers: call.headers,
        body: call.body,
        headersTimeout: 0,
        bodyTimeout: 0,
        signal: controller.signal,
      });
      const text = await readBody(answer, call.maxContentLength, undefined, request);
      return { status: answer.statusCode, headers: answer.headers, data: parsedJson(text) };
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error instanceof AxiosError ? error : AxiosError.from(error, undefined, undefined, request);
    } finally {
      clearTimeout(timer);
      call.signal?.removeEventListener('abort', onCancel);
    }
  }

  /** Waits for in-flight requests, then closes every connection. Safe to call again. */
  async close(): Promise<void> {
    // undici rejects close() on an agent already closed and destroyed.
    if (!this.agent.destroyed) await this.agent.close();
  }

  /** Nest's shutdown hook, for an instance that is a provider. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private async send(config: InternalAxiosRequestConfig): Promise<AxiosResponse> {
    if (config.auth) throw notSupported('config.auth', config);
    if (config.responseType && config.responseType !== 'json' && config.responseType !== 'text') {
      throw notSupported(`responseType '${config.responseType}'`, config);
    }
    const url = fullUrl(config);
    const path = url.pathname + searchOf(url, config);
    const request: RequestInfo = { method: (config.method ?? 'get').toUpperCase(), url: url.origin + path };
    const body = requestBody(config);

    // Pre-aborted tokens: dispatchRequest already checks, but the adapter may be called directly.
    config.cancelToken?.throwIfRequested();
    if (config.signal?.aborted) throw new CanceledError(undefined, config, request);

    // One controller carries every reason to stop (timeout, signal, cancel token) to undici, which
    // then destroys the socket or the response body; its `reason` is what the caller gets.
    const controller = new AbortController();
    const onCancel = (reason?: unknown) =>
      controller.abort(reason instanceof CanceledError ? reason : new CanceledError(undefined, config, request));
    const timeout = config.timeout ?? 0;
    const timer = timeout > 0 ? setTimeout(() => controller.abort(timeoutError(config, request)), timeout) : undefined;
    config.signal?.addEventListener?.('abort', onCancel);
    config.cancelToken?.subscribe(onCancel);

    try {
      const answer = await this.agent.request({
        origin: url.origin,
        path,
        method: request.method,
        headers: requestHeaders(config),
        body,
        // config.timeout is the only bound, over the whole call, as with axios (0 = none).
        headersTimeout: 0,
        bodyTimeout: 0,
        signal: controller.signal,
      });
      const response: AxiosResponse<string> = {
        data: await readBody(answer, config.maxContentLength ?? -1, config, request),
        status: answer.statusCode,
        statusText: answer.statusText,
        headers: new AxiosHeaders(answer.headers as RawAxiosHeaders),
        config,
        request,
      };
      settle(response);
      return response;
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error instanceof AxiosError ? error : AxiosError.from(error, undefined, config, request);
    } finally {
      clearTimeout(timer);
      config.signal?.removeEventListener?.('abort', onCancel);
      config.cancelToken?.unsubscribe(onCancel);
    }
  }
}

/** axios's buildFullPath: an absolute `url` wins unless `allowAbsoluteUrls` is false. */
function fullUrl(config: InternalAxiosRequestConfig): URL {
  const url = config.url ?? '';
  const relative = !/^([a-z][a-z\d+\-.]*:)?\/\//i.test(url);
  let full = url;
  if (config.baseURL && (relative || config.allowAbsoluteUrls === false)) {
    full = url ? `${config.baseURL.replace(/\/+$/, '')}/${url.replace(/^\/+/, '')}` : config.baseURL;
  }
  let parsed: URL;
  try {
    parsed = new URL(full);
  } catch (error) {
    throw AxiosError.from(error as Error, AxiosError.ERR_INVALID_URL, config);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new AxiosError(`Unsupported protocol ${parsed.protocol}`, AxiosError.ERR_BAD_REQUEST, config);
  }
  if (parsed.username || parsed.password) throw notSupported('credentials in the URL', config);
  return parsed;
}

/** The URL's query with `config.params` appended: plain values only, null and undefined skipped as axios does. */
function searchOf(url: URL, config: InternalAxiosRequestConfig): string {
  const params: unknown = config.params;
  if (params == null) return url.search;
  if (config.paramsSerializer) throw notSupported('config.paramsSerializer', config);
  const query = new URLSearchParams();
  if (params instanceof URLSearchParams) {
    params.forEach((value, name) => query.append(name, value));
  } else if (typeof params === 'object' && Object.getPrototypeOf(params) === Object.prototype) {
    for (const [name, value] of Object.entries(params)) {
      if (value == null) continue;
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        throw notSupported(`params value of '${name}' (only strings, numbers and booleans)`, config);
      }
      query.append(name, String(value));
    }
  } else {
    throw notSupported('params other than a plain object or URLSearchParams', config);
  }
  const text = query.toString();
  if (text === '') return url.search;
  return url.search ? `${url.search}&${text}` : `?${text}`;
}

/** The headers axios resolved; `toJSON` already drops those set to `false` or `null` (e.g. `content-type: false`). */
function requestHeaders(config: InternalAxiosRequestConfig): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(AxiosHeaders.from(config.headers).toJSON(true))) {
    if (typeof value === 'string') headers[name] = value;
  }
  return headers;
}

/** `config.data` after axios's transformRequest: a string or bytes, sent as is. */
function requestBody(config: InternalAxiosRequestConfig): string | Uint8Array | undefined {
  const data: unknown = config.data;
  if (data == null) return undefined;
  if (typeof data === 'string' || data instanceof Uint8Array) return data;
  // transformRequest turns typed arrays other than Buffer into their ArrayBuffer.
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new AxiosError('Data after transformation must be a string, an ArrayBuffer or a Buffer', AxiosError.ERR_BAD_REQUEST, config);
}

/**
 * The body as text. With a `limit` (> -1), an answer that announces more bytes is refused before
 * any is read, and one that sends more is cut off there: either way the body is destroyed (the
 * connection closes) and the call fails with axios's maxContentLength error.
 */
async function readBody(answer: Dispatcher.ResponseData, limit: number, config: InternalAxiosRequestConfig | undefined, request: RequestInfo): Promise<string> {
  const { body } = answer;
  if (limit < 0) return body.text();
  const tooLarge = () => new AxiosError(`maxContentLength size of ${limit} exceeded`, AxiosError.ERR_BAD_RESPONSE, config, request);
  const announced = Number(answer.headers['content-length']);
  if (announced > limit) {
    // Destroying the body emits its abort error: it is this refusal, already being thrown.
    body.once('error', () => undefined);
    body.destroy();
    throw tooLarge();
  }
  // An answer of announced length within the limit cannot grow past it (undici reads that many
  // bytes and no more): read whole, without an async iterator per answer.
  if (Number.isInteger(announced) && answer.headers['transfer-encoding'] === undefined) return body.text();
  const chunks: Buffer[] = [];
  let length = 0;
  // Leaving the loop by throwing destroys the body.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    length += chunk.length;
    if (length > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return utf8.decode(Buffer.concat(chunks, length));
}

/** axios's transformResponse for a JSON-less responseType: JSON when it parses, else the text as it came. */
function parsedJson(text: string): unknown {
  if (text === '') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** axios's settle: a status `validateStatus` refuses rejects, with the response. */
function settle(response: AxiosResponse): void {
  const { status, config } = response;
  if (!status || !config.validateStatus || config.validateStatus(status)) return;
  throw new AxiosError(
    `Request failed with status code ${status}`,
    status >= 400 && status < 500 ? AxiosError.ERR_BAD_REQUEST : AxiosError.ERR_BAD_RESPONSE,
    config,
    response.request,
    response,
  );
}

function timeoutError(config: InternalAxiosRequestConfig, request: RequestInfo): AxiosError {
  return new AxiosError(
    config.timeoutErrorMessage || `timeout of ${config.timeout}ms exceeded`,
    config.transitional?.clarifyTimeoutError ? AxiosError.ETIMEDOUT : AxiosError.ECONNABORTED,
    config,
    request,
  );
}

function notSupported(what: string, config: InternalAxiosRequestConfig): AxiosError {
  return new AxiosError(`${what} is not supported by the undici adapter`, AxiosError.ERR_NOT_SUPPORT, config);
}
