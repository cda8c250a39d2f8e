/** Connected TikTok accounts: connecting one is a browser trip through `authorizeUrl`. */
import type { Transport } from "../core/http.js";
import { Paginated } from "../core/pagination.js";
import type { Account, AccountUpdate, ConnectRequest, ConnectStarted, CreatorInfo, Sound, SoundList, SoundListParams } from "../types.js";

export interface ConnectOptions {
  /** `"business"`: through the server's TikTok API for Business app, the only way a post can
   * carry a `sound` (its videos are public). Omitted: the Content Posting API. */
  api?: NonNullable<ConnectRequest["api"]>;
  /** Where the creator's browser lands afterwards (`?account_id=…&status=connected`); its
   * origin must be in the server's TIKPOST_CONNECT_REDIRECT_ORIGINS. */
  redirectUri?: string;
  /** Where it lands when the creator declines (`?error=access_denied`). */
  cancelRedirectUri?: string;
}

/** TikTok's trending-list filters (omitted: the server's US, ALL, 7DAY), and `q`. */
export interface SoundsOptions {
  /** ISO 3166-1 alpha-2, upper case. */
  countryCode?: NonNullable<SoundListParams["country_code"]>;
  /** `ALL`, or a Commercial Music Library genre such as `POP`. */
  genre?: NonNullable<SoundListParams["genre"]>;
  dateRange?: NonNullable<SoundListParams["date_range"]>;
  /** In the name or artist: matched by tikpost, as TikTok's list has no search. */
  q?: string;
}

export class Accounts {
  constructor(private readonly http: Transport) {}

  /** A one-time link (10 minutes) for the creator to open; the account appears once they agree. */
  connect(options: ConnectOptions = {}): Promise<ConnectStarted> {
    return this.http.request("POST", "/v1/accounts/connect", {
      json: {
        ...(options.api ? { api: options.api } : {}),
        redirect_uri: options.redirectUri ?? null,
        cancel_redirect_uri: options.cancelRedirectUri ?? null,
      },
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

  /** A business account's trending commercial sounds, asked of TikTok live, one per
   * publishable clip: a post's `sound: { id }` takes its `id`. No paging (TikTok's list is
   * short); a ConflictError (`not_a_business_account`) for other accounts. */
  async sounds(accountId: string, options: SoundsOptions = {}): Promise<Sound[]> {
    const query = { country_code: options.countryCode, genre: options.genre, date_range: options.dateRange, q: options.q };
    const list: SoundList = await this.http.request("GET", `/v1/accounts/${encodeURIComponent(accountId)}/sounds`, { query });
    return list.items;
  }

  update(accountId: string, changes: AccountUpdate): Promise<Account> {
    return this.http.request("PATCH", `/v1/accounts/${encodeURIComponent(accountId)}`, { json: changes });
  }

  /** Revokes tikpost's access at TikTok; the account stays, `revoked`. */
  disconnect(accountId: string): Promise<Account> {
    return this.http.request("DELETE", `/v1/accounts/${encodeURIComponent(accountId)}`);
  }
}
