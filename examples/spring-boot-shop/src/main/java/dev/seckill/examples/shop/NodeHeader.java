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
package dev.seckill.examples.shop;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Names the instance that answered, {@code X-Shop-Node: <shop.node-name>}, on every response
 * (page, assets, API, errors), when {@code shop.node-name} is set: with several instances behind
 * one load balancer (examples/cluster) a client or test sees which one served it. The header is
 * set before the request is handled, so it is there on asynchronous answers too. Stateless;
 * called on Tomcat's request threads.
 */
@Component
@ConditionalOnProperty(prefix = "shop", name = "node-name")
class NodeHeader extends OncePerRequestFilter {
  static final String HEADER = "X-Shop-Node";

  private final String node;

  NodeHeader(ShopProperties props) {
    this.node = props.nodeName();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response,
      FilterChain chain) throws ServletException, IOException {
    response.setHeader(HEADER, node);
    chain.doFilter(request, response);
  }
}
