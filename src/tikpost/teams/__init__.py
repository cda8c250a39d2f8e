"""Teams and their API keys: who is calling the API."""
