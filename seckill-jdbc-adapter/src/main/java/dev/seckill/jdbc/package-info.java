/*
 * Copyright 2026 The seckill authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
/**
 * An {@link dev.seckill.spi.OrderSink} over any JDBC {@link javax.sql.DataSource}:
 * {@link dev.seckill.jdbc.JdbcOrderSink} (H2, PostgreSQL, MySQL/MariaDB) and
 * {@link dev.seckill.jdbc.ShardedOrderSink}, which spreads orders over several of them; and
 * {@link dev.seckill.jdbc.JdbcStockCoordinator}, the cluster mode's stock coordinator (leases,
 * fenced settlement) kept in the same kind of database. Nothing in
 * this package returns or accepts {@code null} unless its type says {@code @Nullable}.
 */
@NullMarked
package dev.seckill.jdbc;

import org.jspecify.annotations.NullMarked;
