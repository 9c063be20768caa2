-- seckill-jdbc-adapter: JdbcStockCoordinator's tables for MariaDB 10.3+ and MySQL 8.0+. ${prefix}
-- is replaced with the configured table prefix; statements are separated by a semicolon at the
-- end of a line. Times are DATETIME(3) holding the database's own UTC clock (UTC_TIMESTAMP(3)),
-- never a node's and never the session time zone's.
-- Node ids: AUTO_INCREMENT (InnoDB never hands out a value twice: rows are never deleted here).
-- MariaDB allows no CHECK on an AUTO_INCREMENT column: newNodeId() rolls back an id over 32767.
CREATE TABLE IF NOT EXISTS ${prefix}nodes (
  node_id    INT         NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- One row per sale: free = units leased to nobody. pay_within_ms: how long a reservation of the
-- sale may stay unpaid, NULL for a sale without reservations (every order of a sale with it is
-- a reservation). held: units in settled reservations not yet paid, cancelled or expired.
-- released: units of cancelled or expired reservations put back into free (never into a lease).
-- At every commit: free + SUM(granted) of ACTIVE leases + SUM(used) of ended leases
-- = stock + released.
CREATE TABLE IF NOT EXISTS ${prefix}pool (
  sale_id        VARCHAR(128) NOT NULL PRIMARY KEY,
  stock          BIGINT       NOT NULL,
  free           BIGINT       NOT NULL,
  limit_per_user INT          NOT NULL,
  pay_within_ms  BIGINT       NULL,
  held           BIGINT       NOT NULL DEFAULT 0,
  released       BIGINT       NOT NULL DEFAULT 0,
  created_at     DATETIME(3)  NOT NULL,
  CONSTRAINT ${prefix}pool_free CHECK (stock > 0 AND free >= 0 AND free <= stock
    AND limit_per_user > 0),
  CONSTRAINT ${prefix}pool_held CHECK (held >= 0 AND released >= 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Leases: at most one ACTIVE lease per (sale, node): active_node is node_id while ACTIVE and
-- NULL after, and (sale_id, active_node) is unique (NULLs are distinct). An ended lease
-- (REVOKED by the reaper, RELEASED by its node) keeps its granted and used as they were.
-- starving: the node's last lease() asked for more than the pool could give.
CREATE TABLE IF NOT EXISTS ${prefix}lease (
  lease_id    BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sale_id     VARCHAR(128) NOT NULL,
  node_id     INT          NOT NULL,
  granted     BIGINT       NOT NULL,
  used        BIGINT       NOT NULL,
  state       VARCHAR(8)   NOT NULL,
  starving    BOOLEAN      NOT NULL,
  expires_at  DATETIME(3)  NOT NULL,
  created_at  DATETIME(3)  NOT NULL,
  updated_at  DATETIME(3)  NOT NULL,
  active_node INT AS (CASE WHEN state = 'ACTIVE' THEN node_id END) STORED,
  CONSTRAINT ${prefix}lease_used CHECK (used >= 0 AND used <= granted),
  CONSTRAINT ${prefix}lease_state CHECK (state IN ('ACTIVE', 'REVOKED', 'RELEASED')),
  UNIQUE KEY ${prefix}lease_active_uk (sale_id, active_node),
  INDEX ${prefix}lease_expiry_idx (state, expires_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- The per-user limit's authority across nodes: units settled per (sale, user). The key leads
-- with user_id, the selective column, so a settlement's lookup of many users of one sale is
-- an index lookup per user whatever the planner's statistics say.
CREATE TABLE IF NOT EXISTS ${prefix}user_units (
  sale_id VARCHAR(128) NOT NULL,
  user_id VARCHAR(256) NOT NULL,
  units   BIGINT       NOT NULL,
  PRIMARY KEY (user_id, sale_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
-- Orders voided at settlement, so that offering one again gives the same verdict.
CREATE TABLE IF NOT EXISTS ${prefix}voided_order (
  order_id  BIGINT       NOT NULL PRIMARY KEY,
  sale_id   VARCHAR(128) NOT NULL,
  node_id   INT          NOT NULL,
  user_id   VARCHAR(256) NOT NULL,
  quantity  INT          NOT NULL,
  reason    VARCHAR(16)  NOT NULL,
  voided_at DATETIME(3)  NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
