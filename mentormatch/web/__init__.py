"""Blueprints: each parses requests, calls one service and renders."""
