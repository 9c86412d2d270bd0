/** Types of server.js (plain JavaScript, run with node without a build step). */
export interface ExampleSiteExchange {
  method: string | undefined;
  path: string;
  /** The names of the cookies the browser sent. */
  cookies: string[];
  origin: string | undefined;
  /** The answer's status. */
  status: number;
}

export interface ExampleSite {
  port: number;
  close: () => Promise<void>;
}

export function startExampleSite(options: { gatewayUrl: string; port?: number; host?: string; onExchange?: (exchange: ExampleSiteExchange) => void }): Promise<ExampleSite>;
