/** Connected TikTok accounts: connecting one is a browser trip through `authorizeUrl`. */
import type { Transport } from "../core/http.js";
import { Paginated } from "../core/pagination.js";
import type { Account, AccountUpdate, ConnectStarted, CreatorInfo } from "../types.js";

export interface ConnectOptions {
  /** Where the creator's browser lands afterwards (`?account_id=…&status=connected`); its
   * origin must be in the server's TIKPOST_CONNECT_REDIRECT_ORIGINS. */
  redirectUri?: string;
  /** Where it lands when the creator declines (`?error=access_denied`). */
  cancelRedirectUri?: string;
}

export class Accounts {
  constructor(private readonly http: Transport) {}

  /** A one-time link (10 minutes) for the creator to open; the account appears once they agree. */
  connect(options: ConnectOptions = {}): Promise<ConnectStarted> {
    return this.http.request("POST", "/v1/accounts/connect", {
      json: { redirect_uri: options.redirectUri ?? null, cancel_redirect_uri: options.cancelRedirectUri ?? null },
    });
  }

  list(): Paginated<Account> {
    return new Paginated(() => this.http.request("GET", "/v1/accounts"));
  }

  get(accountId: string): Promise<Account> {
    return this.http.request("GET", `/v1/accounts/${encodeURIComponent(accountId)}`);
  }

  /** Asked of TikTok live: the privacy levels and limits this creator allows right now. */
  creatorInfo(accountId: string): Promise<CreatorInfo> {
    return this.http.request("GET", `/v1/accounts/${encodeURIComponent(accountId)}/creator-info`);
  }

  update(accountId: string, changes: AccountUpdate): Promise<Account> {
    return this.http.request("PATCH", `/v1/accounts/${encodeURIComponent(accountId)}`, { json: changes });
  }

  /** Revokes tikpost's access at TikTok; the account stays, `revoked`. */
  disconnect(accountId: string): Promise<Account> {
    return this.http.request("DELETE", `/v1/accounts/${encodeURIComponent(accountId)}`);
  }
}
