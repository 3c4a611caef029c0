"""/healthz is public: ok or not per component, never the exception text (a broker path,
a database host or user), which goes to the log instead."""

import json
import logging

import pytest

from clusterportal.celery import app as celery_app


@pytest.mark.django_db
def test_healthz_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body == {"status": "ok", "database": {"ok": True}, "broker": {"ok": True}}


@pytest.mark.django_db
def test_healthz_broker_down(client):
    previous = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    celery_app.conf.broker_transport_options = {}
    try:
        response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = previous
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True
    assert body == {"status": "unavailable", "database": {"ok": True}, "broker": {"ok": False}}


@pytest.mark.django_db
def test_healthz_tells_the_public_nothing_of_the_failure_and_logs_it(client, caplog):
    previous = celery_app.conf.broker_url, celery_app.conf.broker_transport_options
    celery_app.conf.broker_url = "redis://portal:geheim@127.0.0.1:1/0"
    celery_app.conf.broker_transport_options = {}
    try:
        with caplog.at_level(logging.ERROR, logger="clusterportal.health"):
            response = client.get("/healthz")
    finally:
        celery_app.conf.broker_url, celery_app.conf.broker_transport_options = previous

    published = json.dumps(response.json())
    assert response.status_code == 503
    for detail in ("127.0.0.1", "Error", "redis", "portal", "detail"):
        assert detail not in published, detail
    assert any("broker down" in record.getMessage() for record in caplog.records)


def test_healthz_database_down(client):
    # No django_db mark: pytest-django refuses every query, as a dead database would.
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == {"ok": False}
