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
 * <p>Threads: mutated only by the shard's ledger writer; the list it returns is a copy.
 */
final class SaleCatalog {
  private static final String FILE = "sales.properties";
  private final Path file;
  private final List<Sale> sales = new ArrayList<>();

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
      catalog.sales.add(b.build());
    }
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

  /** Appends a sale and makes the file durable before returning; returns the sale's index. */
  int add(Sale sale) {
    sales.add(sale);
    try {
      store();
    } catch (IOException e) {
      sales.remove(sales.size() - 1);
      throw new UncheckedIOException("could not persist sale '" + sale.id() + "' to " + file, e);
    }
    return sales.size() - 1;
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
    }
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
