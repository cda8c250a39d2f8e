/**
 * Friendly names for the generated schema's shapes. Nothing here is written by hand: each
 * alias points into `schema.ts`, so a server change shows up as a type error, not a stale copy.
 */
import type { components, operations } from "./schema.js";

type Schemas = components["schemas"];
type QueryOf<Name extends keyof operations> = NonNullable<operations[Name]["parameters"]["query"]>;

export type Account = Schemas["AccountRead"];
export type AccountUpdate = Schemas["AccountUpdate"];
export type ConnectRequest = Schemas["ConnectRequest"];
export type ConnectStarted = Schemas["ConnectStarted"];
export type CreatorInfo = Schemas["CreatorInfoRead"];
export type Sound = Schemas["SoundRead"];
export type SoundList = Schemas["SoundList"];
export type SoundListParams = QueryOf<"sounds_v1_accounts__account_id__sounds_get">;
export type SoundChoice = Schemas["SoundChoice"];

export type Media = Schemas["MediaRead"];
export type MediaListParams = Omit<QueryOf<"list_media_v1_media_get">, "cursor">;

export type Post = Schemas["PostRead"];
export type PostCreate = Schemas["PostCreate"];
export type PostUpdate = Schemas["PostUpdate"];
export type PostStatus = Post["status"];
export type PostListParams = Omit<QueryOf<"list_posts_v1_posts_get">, "cursor">;

export type WebhookEndpoint = Schemas["EndpointRead"];
export type WebhookEndpointCreate = Schemas["EndpointCreate"];
export type WebhookEndpointCreated = Schemas["EndpointCreated"];
export type WebhookDelivery = Schemas["DeliveryRead"];
export type WebhookDeliveryDetail = Schemas["DeliveryDetail"];
export type WebhookDeliveryListParams = QueryOf<"list_webhook_deliveries_v1_webhook_deliveries_get">;
