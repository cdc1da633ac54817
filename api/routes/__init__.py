"""The HTTP API's routes, one router per capability (as txtai's API is laid out): health,
questions (ask), search, citation checks, documents and admin. Each route reads the knowledge base loaded now
from the app's Holder (`loaded`), so a request keeps the one it started with across a reload."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import admin, ask, check, documents, health, obligations, search

ROUTERS: list[APIRouter] = [
    health.router,
    ask.router,
    search.router,
    check.router,
    documents.router,
    obligations.router,
    admin.router,
]
