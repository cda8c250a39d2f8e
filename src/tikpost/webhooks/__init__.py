"""Outgoing webhooks: team endpoints, signed deliveries (Standard Webhooks), their log."""
