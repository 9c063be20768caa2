-- seckill-jdbc-adapter: schema for PostgreSQL 9.5+. ${table} and ${summary_table} are replaced
-- with the configured names; statements are separated by a semicolon at the end of a line.
-- confirmed_at is a timestamptz: an absolute instant, stored in UTC, to the millisecond.
CREATE TABLE IF NOT EXISTS ${table} (
  order_id     BIGINT                      NOT NULL PRIMARY KEY,
  sale_id      VARCHAR(128)                NOT NULL,
  user_id      VARCHAR(256)                NOT NULL,
  quantity     INT                         NOT NULL,
  confirmed_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
  state        VARCHAR(16)                 NULL,
  state_version INT                        NULL
);
CREATE INDEX IF NOT EXISTS ${table}_sale_user_idx ON ${table} (sale_id, user_id);
-- state, state_version: reservation state changes (orderStates(true)); NULL = as confirmed
-- summary: only when stockSummary(true); units_paid, units_released: with orderStates(true),
-- the units of reservations paid, and cancelled or expired (given back)
CREATE TABLE IF NOT EXISTS ${summary_table} (
  sale_id    VARCHAR(128) NOT NULL PRIMARY KEY,
  units_sold BIGINT       NOT NULL,
  orders     BIGINT       NOT NULL,
  units_paid     BIGINT   NOT NULL DEFAULT 0,
  units_released BIGINT   NOT NULL DEFAULT 0
);
