-- seckill-jdbc-adapter: JdbcStockCoordinator's tables for PostgreSQL 9.5+. ${prefix} is replaced
-- with the configured table prefix; statements are separated by a semicolon at the end of a line.
-- Times are the database's own clock (CURRENT_TIMESTAMP), never a node's.
-- Node ids: from a sequence that never cycles, so an id is never handed out twice (1..32767).
CREATE SEQUENCE IF NOT EXISTS ${prefix}node_seq MINVALUE 1 MAXVALUE 32767 NO CYCLE;
CREATE TABLE IF NOT EXISTS ${prefix}nodes (
  node_id    INT                         NOT NULL DEFAULT nextval('${prefix}node_seq') PRIMARY KEY,
  created_at TIMESTAMP(3) WITH TIME ZONE NOT NULL
);
-- One row per sale: free = units leased to nobody. pay_within_ms: how long a reservation of the
-- sale may stay unpaid, NULL for a sale without reservations (every order of a sale with it is
-- a reservation). held: units in settled reservations not yet paid, cancelled or expired.
-- released: units of cancelled or expired reservations put back into free (never into a lease).
-- At every commit: free + SUM(granted) of ACTIVE leases + SUM(used) of ended leases
-- = stock + released.
CREATE TABLE IF NOT EXISTS ${prefix}pool (
  sale_id        VARCHAR(128)                NOT NULL PRIMARY KEY,
  stock          BIGINT                      NOT NULL CHECK (stock > 0),
  free           BIGINT                      NOT NULL CHECK (free >= 0 AND free <= stock),
  limit_per_user INT                         NOT NULL CHECK (limit_per_user > 0),
  pay_within_ms  BIGINT                      NULL,
  held           BIGINT                      NOT NULL DEFAULT 0 CHECK (held >= 0),
  released       BIGINT                      NOT NULL DEFAULT 0 CHECK (released >= 0),
  created_at     TIMESTAMP(3) WITH TIME ZONE NOT NULL
);
-- Leases: at most one ACTIVE lease per (sale, node) (the partial unique index below). An ended
-- lease (REVOKED by the reaper, RELEASED by its node) keeps its granted and used as they were.
-- starving: the node's last lease() asked for more than the pool could give.
CREATE TABLE IF NOT EXISTS ${prefix}lease (
  lease_id   BIGSERIAL                   NOT NULL PRIMARY KEY,
  sale_id    VARCHAR(128)                NOT NULL,
  node_id    INT                         NOT NULL,
  granted    BIGINT                      NOT NULL,
  used       BIGINT                      NOT NULL,
  state      VARCHAR(8)                  NOT NULL,
  starving   BOOLEAN                     NOT NULL,
  expires_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
  created_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
  updated_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
  CHECK (used >= 0 AND used <= granted),
  CHECK (state IN ('ACTIVE', 'REVOKED', 'RELEASED'))
);
CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}lease_active_idx ON ${prefix}lease (sale_id, node_id)
  WHERE state = 'ACTIVE';
CREATE INDEX IF NOT EXISTS ${prefix}lease_expiry_idx ON ${prefix}lease (state, expires_at);
-- The per-user limit's authority across nodes: units settled per (sale, user). The key leads
-- with user_id, the selective column, so a settlement's lookup of many users of one sale is
-- an index lookup per user whatever the planner's statistics say.
CREATE TABLE IF NOT EXISTS ${prefix}user_units (
  sale_id VARCHAR(128) NOT NULL,
  user_id VARCHAR(256) NOT NULL,
  units   BIGINT       NOT NULL,
  PRIMARY KEY (user_id, sale_id)
);
-- Orders voided at settlement, so that offering one again gives the same verdict.
CREATE TABLE IF NOT EXISTS ${prefix}voided_order (
  order_id  BIGINT                      NOT NULL PRIMARY KEY,
  sale_id   VARCHAR(128)                NOT NULL,
  node_id   INT                         NOT NULL,
  user_id   VARCHAR(256)                NOT NULL,
  quantity  INT                         NOT NULL,
  reason    VARCHAR(16)                 NOT NULL,
  voided_at TIMESTAMP(3) WITH TIME ZONE NOT NULL
);
