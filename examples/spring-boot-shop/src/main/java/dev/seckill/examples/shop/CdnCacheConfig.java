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

import java.util.concurrent.TimeUnit;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.CacheControl;
import org.springframework.web.servlet.config.annotation.ResourceHandlerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Cache headers suited to a CDN in front of the shop. Files under {@code /assets/} carry their
 * version in their name ({@code seckill-v3.js}, {@code shop-v2.css}): a change ships as a new
 * name, so they are cached for a year and marked immutable. The HTML that names them is cached
 * briefly ({@code spring.web.resources.cache.cachecontrol.max-age} in {@code application.yml},
 * 10 s), so a new version reaches visitors within seconds. The API answers {@code no-store}
 * (see {@link ShopApiController}): its answers depend on the moment and the user.
 */
@Configuration(proxyBeanMethods = false)
public class CdnCacheConfig implements WebMvcConfigurer {
  @Override
  public void addResourceHandlers(ResourceHandlerRegistry registry) {
    registry.addResourceHandler("/assets/**")
        .addResourceLocations("classpath:/static/assets/")
        .setCacheControl(CacheControl.maxAge(365, TimeUnit.DAYS).cachePublic().immutable());
  }
}
