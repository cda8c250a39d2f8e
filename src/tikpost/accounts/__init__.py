"""Connected TikTok accounts and the OAuth flow that connects them."""
