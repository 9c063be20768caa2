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
package dev.seckill.spring;

import dev.seckill.Durability;
import dev.seckill.IdleStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code seckill.*} properties. A property left unset leaves the engine builder's default
 * (see {@code SeckillEngine.Builder}'s {@code DEFAULT_*} constants and README); only
 * {@code seckill.data-dir} is required.
 */
@ConfigurationProperties(prefix = "seckill")
public class SeckillProperties {
  /** Whether to create the engine at all. */
  private boolean enabled = true;
  /** Directory of the engine's ledger files; required. The engine writes nothing elsewhere. */
  private Path dataDir;
  /** Small sizes for development and tests (10k users, 10k outbox, 1k ring slots per shard). */
  private boolean developmentDefaults;
  /** Number of shards (each one ring, one ledger writer, one responder). Fixed at creation. */
  private Integer shards;
  /** Slots in each shard's ring, a power of two. */
  private Integer ringSize;
  /** How each shard's threads wait when idle. */
  private IdleStrategy idleStrategy;
  /** Take the ledger files' page faults when the engine starts rather than mid-sale. */
  private Boolean prefaultFiles;
  /** Distinct (sale, user) pairs one shard records. Fixed at creation. */
  private Long maxUsersPerShard;
  /** Confirmed orders one shard holds before the sink stores them. Fixed at creation. */
  private Long outboxCapacityPerShard;
  /** Sales one shard holds. Fixed at creation. */
  private Integer maxSalesPerShard;
  /** Reservations (sales with pay-within) one shard holds, live or retained. Default: max-users-per-shard, at most 100,000. */
  private Long maxReservationsPerShard;
  /** How long a paid, cancelled or expired reservation still answers retried pay/cancel calls. */
  private Duration reservationRetention;
  /** How often the timer asks each shard to expire due reservations. */
  private Duration reservationTickInterval;
  /**
   * Confirmed purchases carrying a request id one shard remembers per retention window. Fixed
   * when the shard's request table is created.
   */
  private Long maxRequestIdsPerShard;
  /** How long a confirmed purchase's request id is remembered at least. */
  private Duration requestIdRetention;
  /** When a buyer is told "confirmed": LEDGER (in the ledger) or PERSISTED (in the sink). */
  private Durability durability;
  /** How long closing the engine lets the flushers store the outbox. */
  private Duration closeTimeout;

  private final Flush flush = new Flush();
  private final Health health = new Health();
  private final Jdbc jdbc = new Jdbc();
  private final Admission admission = new Admission();
  private final Cluster cluster = new Cluster();
  /** Sales registered when the engine starts (registering the same sale again is a no-op). */
  private List<SaleProperties> sales = new ArrayList<>();

  /** How the flushers drain the outbox into the order sink. */
  public static class Flush {
    /** Most orders per store call. */
    private Integer batchSize;
    /** Longest an order waits in the outbox for a batch to fill. */
    private Duration maxDelay;
    /** First wait after a failed store; doubles up to max-backoff. Set both or neither. */
    private Duration initialBackoff;
    /** Longest wait between two attempts of a failing store. */
    private Duration maxBackoff;

    public Integer getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(Integer batchSize) {
      this.batchSize = batchSize;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    public Duration getInitialBackoff() {
      return initialBackoff;
    }

    public void setInitialBackoff(Duration initialBackoff) {
      this.initialBackoff = initialBackoff;
    }

    public Duration getMaxBackoff() {
      return maxBackoff;
    }

    public void setMaxBackoff(Duration maxBackoff) {
      this.maxBackoff = maxBackoff;
    }
  }

  /** When the engine's health turns DEGRADED. */
  public static class Health {
    /** How long the order sink may fail every store. */
    private Duration sinkFailingFor;
    /** Fraction of a shard's outbox capacity, in (0, 1]. */
    private Double outboxFill;
    /** Fraction of a shard's ring slots in use, in (0, 1]. */
    private Double ringFill;

    public Duration getSinkFailingFor() {
      return sinkFailingFor;
    }

    public void setSinkFailingFor(Duration sinkFailingFor) {
      this.sinkFailingFor = sinkFailingFor;
    }

    public Double getOutboxFill() {
      return outboxFill;
    }

    public void setOutboxFill(Double outboxFill) {
      this.outboxFill = outboxFill;
    }

    public Double getRingFill() {
      return ringFill;
    }

    public void setRingFill(Double ringFill) {
      this.ringFill = ringFill;
    }
  }

  /** The order sink on the application's DataSource (needs seckill-jdbc-adapter). */
  public static class Jdbc {
    /** Whether to store orders through the application's DataSource when there is one. */
    private boolean enabled = true;
    /** The orders table. */
    private String table;
    /** The per-sale stock summary table. */
    private String summaryTable;
    /** Whether to keep the per-sale stock summary table up to date. */
    private Boolean stockSummary;
    /** Whether to store reservation state changes in the orders table's state columns. */
    private Boolean orderStates;
    /** Whether to create the tables when they are missing. */
    private boolean createSchema = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getTable() {
      return table;
    }

    public void setTable(String table) {
      this.table = table;
    }

    public String getSummaryTable() {
      return summaryTable;
    }

    public void setSummaryTable(String summaryTable) {
      this.summaryTable = summaryTable;
    }

    public Boolean getStockSummary() {
      return stockSummary;
    }

    public void setStockSummary(Boolean stockSummary) {
      this.stockSummary = stockSummary;
    }

    public Boolean getOrderStates() {
      return orderStates;
    }

    public void setOrderStates(Boolean orderStates) {
      this.orderStates = orderStates;
    }

    public boolean isCreateSchema() {
      return createSchema;
    }

    public void setCreateSchema(boolean createSchema) {
      this.createSchema = createSchema;
    }
  }

  /** Admission and anti-abuse (docs/admission.md). Unset: permissive. */
  public static class Admission {
    /** How long a purchase token stays valid. */
    private Duration tokenTtl;
    /** The token HMAC key, Base64; unset: random per start (tokens die with the process). */
    private String tokenSecret;
    /** Purchase attempts one user may make per throttle-window; unset: no user throttle. */
    private Integer userAttempts;
    /** Purchase attempts one client address may make per throttle-window. */
    private Integer addressAttempts;
    /** The throttles' window. */
    private Duration throttleWindow = Duration.ofSeconds(1);

    public Duration getTokenTtl() {
      return tokenTtl;
    }

    public void setTokenTtl(Duration tokenTtl) {
      this.tokenTtl = tokenTtl;
    }

    public String getTokenSecret() {
      return tokenSecret;
    }

    public void setTokenSecret(String tokenSecret) {
      this.tokenSecret = tokenSecret;
    }

    public Integer getUserAttempts() {
      return userAttempts;
    }

    public void setUserAttempts(Integer userAttempts) {
      this.userAttempts = userAttempts;
    }

    public Integer getAddressAttempts() {
      return addressAttempts;
    }

    public void setAddressAttempts(Integer addressAttempts) {
      this.addressAttempts = addressAttempts;
    }

    public Duration getThrottleWindow() {
      return throttleWindow;
    }

    public void setThrottleWindow(Duration throttleWindow) {
      this.throttleWindow = throttleWindow;
    }
  }

  /**
   * Cluster mode (docs/cluster.md): several engines, one per JVM and data directory, sell the same
   * sales, leasing stock in chunks from a coordinator on the application's DataSource (needs
   * seckill-jdbc-adapter). Orders then go through the coordinator's fenced sink into the
   * {@code seckill.jdbc.table} table, and durability is PERSISTED.
   */
  public static class Cluster {
    /** Whether this engine is one node of a cluster selling shared stock. */
    private boolean enabled;
    /** How long a stock lease lasts without renewal (renewed every third of it). */
    private Duration leaseTtl;
    /** How long after its expiry a dead node's lease is revoked and its units put back. */
    private Duration reapGrace;
    /** Most relative drift between two nodes' clock rates, e.g. 0.01. */
    private Double maxClockDrift;
    /** Time a node stops selling before its lease's local deadline; under lease-ttl x (1 - max-clock-drift). */
    private Duration safetyMargin;
    /** A chunk of stock is about this long of the node's recent sales. */
    private Duration chunkTarget;
    /** Units of the first chunk a node leases. */
    private Integer initialChunk;
    /** Prefix of the coordinator's tables (pool, leases, per-user limits, voids, node ids). */
    private String tablePrefix;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getLeaseTtl() {
      return leaseTtl;
    }

    public void setLeaseTtl(Duration leaseTtl) {
      this.leaseTtl = leaseTtl;
    }

    public Duration getReapGrace() {
      return reapGrace;
    }

    public void setReapGrace(Duration reapGrace) {
      this.reapGrace = reapGrace;
    }

    public Double getMaxClockDrift() {
      return maxClockDrift;
    }

    public void setMaxClockDrift(Double maxClockDrift) {
      this.maxClockDrift = maxClockDrift;
    }

    public Duration getSafetyMargin() {
      return safetyMargin;
    }

    public void setSafetyMargin(Duration safetyMargin) {
      this.safetyMargin = safetyMargin;
    }

    public Duration getChunkTarget() {
      return chunkTarget;
    }

    public void setChunkTarget(Duration chunkTarget) {
      this.chunkTarget = chunkTarget;
    }

    public Integer getInitialChunk() {
      return initialChunk;
    }

    public void setInitialChunk(Integer initialChunk) {
      this.initialChunk = initialChunk;
    }

    public String getTablePrefix() {
      return tablePrefix;
    }

    public void setTablePrefix(String tablePrefix) {
      this.tablePrefix = tablePrefix;
    }
  }

  /** A sale to register at start. */
  public static class SaleProperties {
    /** The sale's id. */
    private String id;
    /** Units for sale. */
    private long stock;
    /** When the sale opens (ISO-8601 instant). */
    private Instant startsAt;
    /** When the sale closes (ISO-8601 instant). */
    private Instant endsAt;
    /** Units one user may buy in all. */
    private Integer limitPerUser;
    /** Units one request may ask for. */
    private Integer maxPerRequest;
    /** Whether a purchase needs a token from issueToken. */
    private boolean requireToken;
    /** Time to pay after a confirmation; unset: confirmations are final. */
    private Duration payWithin;
    /** Whether a cancelled or expired reservation gives the buyer's quota back. */
    private boolean releaseRestoresLimit;

    public String getId() {
      return id;
    }

    public void setId(String id) {
      this.id = id;
    }

    public long getStock() {
      return stock;
    }

    public void setStock(long stock) {
      this.stock = stock;
    }

    public Instant getStartsAt() {
      return startsAt;
    }

    public void setStartsAt(Instant startsAt) {
      this.startsAt = startsAt;
    }

    public Instant getEndsAt() {
      return endsAt;
    }

    public void setEndsAt(Instant endsAt) {
      this.endsAt = endsAt;
    }

    public Integer getLimitPerUser() {
      return limitPerUser;
    }

    public void setLimitPerUser(Integer limitPerUser) {
      this.limitPerUser = limitPerUser;
    }

    public Integer getMaxPerRequest() {
      return maxPerRequest;
    }

    public void setMaxPerRequest(Integer maxPerRequest) {
      this.maxPerRequest = maxPerRequest;
    }

    public boolean isRequireToken() {
      return requireToken;
    }

    public void setRequireToken(boolean requireToken) {
      this.requireToken = requireToken;
    }

    public Duration getPayWithin() {
      return payWithin;
    }

    public void setPayWithin(Duration payWithin) {
      this.payWithin = payWithin;
    }

    public boolean isReleaseRestoresLimit() {
      return releaseRestoresLimit;
    }

    public void setReleaseRestoresLimit(boolean releaseRestoresLimit) {
      this.releaseRestoresLimit = releaseRestoresLimit;
    }
  }

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Path getDataDir() {
    return dataDir;
  }

  public void setDataDir(Path dataDir) {
    this.dataDir = dataDir;
  }

  public boolean isDevelopmentDefaults() {
    return developmentDefaults;
  }

  public void setDevelopmentDefaults(boolean developmentDefaults) {
    this.developmentDefaults = developmentDefaults;
  }

  public Integer getShards() {
    return shards;
  }

  public void setShards(Integer shards) {
    this.shards = shards;
  }

  public Integer getRingSize() {
    return ringSize;
  }

  public void setRingSize(Integer ringSize) {
    this.ringSize = ringSize;
  }

  public IdleStrategy getIdleStrategy() {
    return idleStrategy;
  }

  public void setIdleStrategy(IdleStrategy idleStrategy) {
    this.idleStrategy = idleStrategy;
  }

  public Boolean getPrefaultFiles() {
    return prefaultFiles;
  }

  public void setPrefaultFiles(Boolean prefaultFiles) {
    this.prefaultFiles = prefaultFiles;
  }

  public Long getMaxUsersPerShard() {
    return maxUsersPerShard;
  }

  public void setMaxUsersPerShard(Long maxUsersPerShard) {
    this.maxUsersPerShard = maxUsersPerShard;
  }

  public Long getOutboxCapacityPerShard() {
    return outboxCapacityPerShard;
  }

  public void setOutboxCapacityPerShard(Long outboxCapacityPerShard) {
    this.outboxCapacityPerShard = outboxCapacityPerShard;
  }

  public Long getMaxReservationsPerShard() {
    return maxReservationsPerShard;
  }

  public void setMaxReservationsPerShard(Long maxReservationsPerShard) {
    this.maxReservationsPerShard = maxReservationsPerShard;
  }

  public Duration getReservationRetention() {
    return reservationRetention;
  }

  public void setReservationRetention(Duration reservationRetention) {
    this.reservationRetention = reservationRetention;
  }

  public Duration getReservationTickInterval() {
    return reservationTickInterval;
  }

  public void setReservationTickInterval(Duration reservationTickInterval) {
    this.reservationTickInterval = reservationTickInterval;
  }

  public Integer getMaxSalesPerShard() {
    return maxSalesPerShard;
  }

  public void setMaxSalesPerShard(Integer maxSalesPerShard) {
    this.maxSalesPerShard = maxSalesPerShard;
  }

  public Long getMaxRequestIdsPerShard() {
    return maxRequestIdsPerShard;
  }

  public void setMaxRequestIdsPerShard(Long maxRequestIdsPerShard) {
    this.maxRequestIdsPerShard = maxRequestIdsPerShard;
  }

  public Duration getRequestIdRetention() {
    return requestIdRetention;
  }

  public void setRequestIdRetention(Duration requestIdRetention) {
    this.requestIdRetention = requestIdRetention;
  }

  public Durability getDurability() {
    return durability;
  }

  public void setDurability(Durability durability) {
    this.durability = durability;
  }

  public Duration getCloseTimeout() {
    return closeTimeout;
  }

  public void setCloseTimeout(Duration closeTimeout) {
    this.closeTimeout = closeTimeout;
  }

  public Flush getFlush() {
    return flush;
  }

  public Health getHealth() {
    return health;
  }

  public Jdbc getJdbc() {
    return jdbc;
  }

  public Admission getAdmission() {
    return admission;
  }

  public Cluster getCluster() {
    return cluster;
  }

  public List<SaleProperties> getSales() {
    return sales;
  }

  public void setSales(List<SaleProperties> sales) {
    this.sales = sales;
  }
}
