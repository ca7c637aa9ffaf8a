"""Initial fleet schema: terminals and enrolment, status, devices, heartbeats (daily partitions), commands and
results, configuration acknowledgements, catalogue and rollouts, audit heads, log uploads, nonces.

Times are Unix seconds (double precision), as on the wire. The hot rows (``terminal_status``, ``device_states``)
are updated in place on every heartbeat, so they leave room for HOT updates (fillfactor 70).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = """
CREATE TABLE terminals (
    terminal_id text PRIMARY KEY, public_key text NOT NULL, alg text NOT NULL, district_code text NOT NULL, hall text NOT NULL DEFAULT '',
    software_version text NOT NULL DEFAULT '', registered_at double precision NOT NULL, command_counter bigint NOT NULL DEFAULT 0);
CREATE TABLE enrolment_codes (
    code text PRIMARY KEY, terminal_id text, district_code text, issued_at double precision NOT NULL, expires_at double precision,
    used_at double precision, used_by text);
CREATE TABLE enrolments (
    id bigserial PRIMARY KEY, terminal_id text NOT NULL, public_key text NOT NULL, alg text NOT NULL, code text NOT NULL,
    at double precision NOT NULL);
CREATE TABLE terminal_status (
    terminal_id text PRIMARY KEY REFERENCES terminals ON DELETE CASCADE, last_seen double precision NOT NULL, state text NOT NULL,
    config_version text NOT NULL, software_version text NOT NULL, outbox_depth integer NOT NULL DEFAULT 0,
    outbox_oldest_s double precision NOT NULL DEFAULT 0, dead_letters integer NOT NULL DEFAULT 0, outbox_held integer NOT NULL DEFAULT 0,
    disk_free_mb integer, alerts jsonb NOT NULL DEFAULT '[]', hall_message text NOT NULL DEFAULT '', uptime_s double precision)
    WITH (fillfactor = 70);
CREATE INDEX terminal_status_last_seen ON terminal_status (last_seen);
CREATE TABLE device_states (
    terminal_id text NOT NULL REFERENCES terminals ON DELETE CASCADE, device text NOT NULL, state text NOT NULL,
    paper text, action text, description text NOT NULL DEFAULT '', last_error text NOT NULL DEFAULT '', updated_at double precision NOT NULL,
    PRIMARY KEY (terminal_id, device)) WITH (fillfactor = 70);
CREATE TABLE heartbeats (
    terminal_id text NOT NULL, at double precision NOT NULL, state text NOT NULL, config_version text NOT NULL,
    outbox_depth integer NOT NULL, handled_ms real NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE heartbeats_default PARTITION OF heartbeats DEFAULT;
CREATE INDEX heartbeats_terminal_at ON heartbeats (terminal_id, at);
CREATE TABLE commands (
    command_id text PRIMARY KEY, terminal_id text NOT NULL REFERENCES terminals ON DELETE CASCADE, counter bigint NOT NULL,
    type text NOT NULL, args jsonb NOT NULL, envelope jsonb NOT NULL, issued_by text NOT NULL, issued_at double precision NOT NULL,
    expires_at double precision NOT NULL, delivered_at double precision, acked_at double precision, UNIQUE (terminal_id, counter));
CREATE INDEX commands_pending ON commands (terminal_id, counter) WHERE acked_at IS NULL;
CREATE TABLE command_results (
    command_id text PRIMARY KEY REFERENCES commands ON DELETE CASCADE, terminal_id text NOT NULL, ok boolean NOT NULL,
    result text NOT NULL, refused boolean NOT NULL DEFAULT false, at double precision NOT NULL);
CREATE TABLE config_acks (
    terminal_id text NOT NULL, target text NOT NULL, state text NOT NULL, version text NOT NULL, reason text NOT NULL DEFAULT '',
    at double precision NOT NULL, PRIMARY KEY (terminal_id, target, state));
CREATE TABLE selftests (terminal_id text PRIMARY KEY, at double precision NOT NULL, passed boolean NOT NULL, body jsonb NOT NULL);
CREATE TABLE bundles (
    name text PRIMARY KEY, kind text NOT NULL CHECK (kind IN ('config', 'release')), version text NOT NULL, sha256 text NOT NULL,
    size bigint NOT NULL, added_at double precision NOT NULL);
CREATE TABLE rollouts (
    id bigserial PRIMARY KEY, kind text NOT NULL DEFAULT 'config', version text NOT NULL, bundle text NOT NULL REFERENCES bundles,
    percent real NOT NULL CHECK (percent >= 0 AND percent <= 100), previous_version text, previous_bundle text REFERENCES bundles,
    state text NOT NULL CHECK (state IN ('active', 'paused', 'rolled_back', 'superseded')), created_by text NOT NULL,
    created_at double precision NOT NULL);
CREATE TABLE audit_heads (
    terminal_id text PRIMARY KEY REFERENCES terminals ON DELETE CASCADE, seq bigint NOT NULL, mac text NOT NULL, suite text NOT NULL,
    at double precision NOT NULL, mismatch_at double precision, mismatch text);
CREATE TABLE log_uploads (
    terminal_id text NOT NULL, sha256 text NOT NULL, size bigint NOT NULL, path text NOT NULL, at double precision NOT NULL,
    PRIMARY KEY (terminal_id, sha256));
CREATE TABLE nonces (terminal_id text NOT NULL, nonce text NOT NULL, expires_at double precision NOT NULL, PRIMARY KEY (terminal_id, nonce));
CREATE INDEX nonces_expiry ON nonces (expires_at);
"""

TABLES = ("nonces", "log_uploads", "audit_heads", "rollouts", "bundles", "selftests", "config_acks", "command_results", "commands",
          "heartbeats", "device_states", "terminal_status", "enrolments", "enrolment_codes", "terminals")


def upgrade() -> None:
    for statement in SCHEMA.split(";\n"):
        if statement.strip():
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {table} CASCADE")
