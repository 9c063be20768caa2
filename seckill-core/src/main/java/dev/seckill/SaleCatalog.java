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
package dev.seckill;

import dev.seckill.Sale;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * The sales registered on one shard, persisted as a small properties file that is replaced
 * atomically (write to a temporary file, force it to disk, rename over the old one, force the
 * directory). Registration is rare, so a readable file beats another map.
 *
 * <p>Besides each sale's spec (as registered: what {@code registerSale} compares), an
 * {@link Entry} holds what the operator changed since (docs/operations.md, "Sale operations"):
 * paused, the end as moved by ending early or extending, the total stock after added stock, and
 * whether the sale is archived (its index free for a new sale). Each operation rewrites the file
 * before it takes effect. Optional keys: a catalog written before sale operations reads as
 * "nothing changed".
 *
 * <p>Threads: mutated only by the shard's ledger writer; the list it returns is a copy.
 */
final class SaleCatalog {
  private static final String FILE = "sales.properties";
  private final Path file;
  private final List<Sale> sales = new ArrayList<>();
  private final List<Entry> entries = new ArrayList<>();
  /** The next key index for a sale registered in a freed (archived) slot; at least maxSales. */
  private long nextKeyIndex = -1;

  /** What the operator changed on the sale at one index. Mutated by the writer only. */
  static final class Entry {
    /** Hashed into every buyer's and request id's key: the index, or a fresh one on reuse. */
    int keyIndex;
    boolean paused;
    /** The end as it stands now, epoch ms. */
    long endsAtMillis;
    /** Registered stock plus every unit added. */
    long totalStock;
    /**
     * The applied watermark when stock was last added, -1 if never; with the counters after that
     * operation: recovery restores them if the watermark has not moved since (StockLedger).
     */
    long stockOpSeq = -1;
    long stockOpRemaining;
    long stockOpOrders;
    boolean archived;

    Entry copy() {
      Entry e = new Entry();
      e.keyIndex = keyIndex;
      e.paused = paused;
      e.endsAtMillis = endsAtMillis;
      e.totalStock = totalStock;
      e.stockOpSeq = stockOpSeq;
      e.stockOpRemaining = stockOpRemaining;
      e.stockOpOrders = stockOpOrders;
      e.archived = archived;
      return e;
    }
  }

  static Entry fresh(Sale sale, int keyIndex) {
    Entry e = new Entry();
    e.keyIndex = keyIndex;
    e.endsAtMillis = SaleState.toMillis(sale.endsAt());
    e.totalStock = sale.stock();
    return e;
  }

  private SaleCatalog(Path dir) {
    this.file = dir.resolve(FILE);
  }

  static SaleCatalog load(Path dir) throws IOException {
    SaleCatalog catalog = new SaleCatalog(dir);
    if (!Files.exists(catalog.file)) {
      return catalog;
    }
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(catalog.file)) {
      p.load(in);
    }
    int count = Integer.parseInt(required(p, "sales.count"));
    for (int i = 0; i < count; i++) {
      String prefix = "sale." + i + '.';
      Sale.Builder b = Sale.builder(required(p, prefix + "id"))
          .stock(Long.parseLong(required(p, prefix + "stock")))
          .startsAt(Instant.parse(required(p, prefix + "startsAt")))
          .endsAt(Instant.parse(required(p, prefix + "endsAt")))
          .limitPerUser(Integer.parseInt(required(p, prefix + "limitPerUser")))
          .maxPerRequest(Integer.parseInt(required(p, prefix + "maxPerRequest")))
          // Optional: catalogs written before purchase tokens existed lack it (false).
          .requireToken(Boolean.parseBoolean(p.getProperty(prefix + "tokenRequired", "false")))
          // Optional: catalogs written before reservations existed lack both.
          .releaseRestoresLimit(
              Boolean.parseBoolean(p.getProperty(prefix + "releaseRestoresLimit", "false")));
      String payWithin = p.getProperty(prefix + "payWithinMillis");
      if (payWithin != null) {
        b.payWithin(java.time.Duration.ofMillis(Long.parseLong(payWithin)));
      }
      Sale sale = b.build();
      catalog.sales.add(sale);
      // Optional: catalogs written before sale operations lack these (nothing changed).
      Entry e = fresh(sale, Integer.parseInt(p.getProperty(prefix + "keyIndex", Integer.toString(i))));
      e.paused = Boolean.parseBoolean(p.getProperty(prefix + "paused", "false"));
      e.endsAtMillis = Long.parseLong(p.getProperty(prefix + "endsAtMillis",
          Long.toString(e.endsAtMillis)));
      e.totalStock = Long.parseLong(p.getProperty(prefix + "totalStock",
          Long.toString(e.totalStock)));
      e.stockOpSeq = Long.parseLong(p.getProperty(prefix + "stockOpSeq", "-1"));
      e.stockOpRemaining = Long.parseLong(p.getProperty(prefix + "stockOpRemaining", "0"));
      e.stockOpOrders = Long.parseLong(p.getProperty(prefix + "stockOpOrders", "0"));
      e.archived = Boolean.parseBoolean(p.getProperty(prefix + "archived", "false"));
      catalog.entries.add(e);
    }
    catalog.nextKeyIndex = Long.parseLong(p.getProperty("keyIndex.next", "-1"));
    return catalog;
  }

  private static String required(Properties p, String key) throws IOException {
    String value = p.getProperty(key);
    if (value == null) {
      throw new IOException("ledger catalog is missing '" + key + "'; the file is damaged");
    }
    return value;
  }

  List<Sale> sales() {
    return Collections.unmodifiableList(new ArrayList<>(sales));
  }

  int size() {
    return sales.size();
  }

  /** A copy of the operator's changes to the sale at {@code index}. */
  Entry entry(int index) {
    return entries.get(index).copy();
  }

  /** Appends a sale and makes the file durable before returning; returns the sale's index. */
  int add(Sale sale) {
    sales.add(sale);
    entries.add(fresh(sale, sales.size() - 1));
    try {
      store();
    } catch (IOException e) {
      sales.remove(sales.size() - 1);
      entries.remove(entries.size() - 1);
      throw new UncheckedIOException("could not persist sale '" + sale.id() + "' to " + file, e);
    }
    return sales.size() - 1;
  }

  /**
   * Registers {@code sale} in the archived slot {@code index}, with a key index no sale of this
   * shard had before (so its buyers' and request ids' keys never meet the archived sale's);
   * durable before returning. Returns the new entry.
   */
  Entry reuse(int index, Sale sale, int maxSales) {
    Sale oldSale = sales.get(index);
    Entry old = entries.get(index);
    long previousNext = nextKeyIndex;
    long key = Math.max(nextKeyIndex, maxSales);
    if (key >= Integer.MAX_VALUE) { // key indices stay below 2^31: the request domain bit
      throw new IllegalStateException("shard has used every key index; cannot reuse a slot");
    }
    nextKeyIndex = key + 1;
    Entry e = fresh(sale, (int) key);
    sales.set(index, sale);
    entries.set(index, e);
    try {
      store();
    } catch (IOException x) {
      sales.set(index, oldSale);
      entries.set(index, old);
      nextKeyIndex = previousNext;
      throw new UncheckedIOException("could not persist sale '" + sale.id() + "' to " + file, x);
    }
    return e.copy();
  }

  /**
   * Replaces the operator's changes at {@code index} by {@code changed} and makes the file
   * durable before returning; on failure nothing changes.
   *
   * @throws UncheckedIOException if the file cannot be written
   */
  void update(int index, Entry changed) {
    Entry old = entries.get(index);
    entries.set(index, changed.copy());
    try {
      store();
    } catch (IOException x) {
      entries.set(index, old);
      throw new UncheckedIOException("could not persist a change to sale '" + sales.get(index).id()
          + "' to " + file, x);
    }
  }

  private void store() throws IOException {
    Properties p = new Properties();
    p.setProperty("sales.count", Integer.toString(sales.size()));
    for (int i = 0; i < sales.size(); i++) {
      Sale s = sales.get(i);
      String prefix = "sale." + i + '.';
      p.setProperty(prefix + "id", s.id());
      p.setProperty(prefix + "stock", Long.toString(s.stock()));
      p.setProperty(prefix + "startsAt", s.startsAt().toString());
      p.setProperty(prefix + "endsAt", s.endsAt().toString());
      p.setProperty(prefix + "limitPerUser", Integer.toString(s.limitPerUser()));
      p.setProperty(prefix + "maxPerRequest", Integer.toString(s.maxPerRequest()));
      p.setProperty(prefix + "tokenRequired", Boolean.toString(s.tokenRequired()));
      java.time.Duration payWithin = s.payWithin();
      if (payWithin != null) {
        p.setProperty(prefix + "payWithinMillis", Long.toString(payWithin.toMillis()));
      }
      p.setProperty(prefix + "releaseRestoresLimit", Boolean.toString(s.releaseRestoresLimit()));
      Entry e = entries.get(i);
      p.setProperty(prefix + "keyIndex", Integer.toString(e.keyIndex));
      p.setProperty(prefix + "paused", Boolean.toString(e.paused));
      p.setProperty(prefix + "endsAtMillis", Long.toString(e.endsAtMillis));
      p.setProperty(prefix + "totalStock", Long.toString(e.totalStock));
      p.setProperty(prefix + "stockOpSeq", Long.toString(e.stockOpSeq));
      p.setProperty(prefix + "stockOpRemaining", Long.toString(e.stockOpRemaining));
      p.setProperty(prefix + "stockOpOrders", Long.toString(e.stockOpOrders));
      p.setProperty(prefix + "archived", Boolean.toString(e.archived));
    }
    p.setProperty("keyIndex.next", Long.toString(nextKeyIndex));
    Path tmp = file.resolveSibling(FILE + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      p.store(out, "seckill sale catalog; written by the ledger, do not edit");
    }
    Fsync.file(tmp);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    // file is dir.resolve(FILE) (constructor), a name inside a directory: it has a parent.
    Fsync.directory(Objects.requireNonNull(file.getParent(), "parent"));
  }
}
