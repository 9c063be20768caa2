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

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.ErrorResponse;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestHandler;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.handler.SimpleUrlHandlerMapping;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Answers every error under {@code /api/} in the shop's own shape ({@link ApiJson.RefusalJson},
 * {@code "status":"ERROR"}, {@code Cache-Control: no-store}) instead of Spring's: a body that is
 * not JSON (400 {@code MALFORMED_BODY}), a path variable of the wrong type (400
 * {@code BAD_PARAMETER}), a missing parameter or header Spring requires (400
 * {@code BAD_REQUEST}), an unknown path (404 {@code NOT_FOUND}), a method the path does not take
 * (405 {@code METHOD_NOT_ALLOWED}, with Spring's {@code Allow} header), a body that is not JSON by
 * its content type (415 {@code NOT_JSON}), an {@code Accept} without JSON (406
 * {@code NOT_ACCEPTABLE}), and anything unexpected (500 {@code INTERNAL_ERROR}, logged). Outside
 * {@code /api/} (the page and its assets) each handler rethrows, and Spring's own error handling
 * answers as before.
 *
 * <p>Global (no {@code basePackages}): 404 and 405 are decided before any controller is chosen,
 * and advice restricted to controllers would not see them. Stateless and thread-safe.
 */
@RestControllerAdvice
public class ApiErrors {
  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);
  static final String API_PREFIX = "/api/";

  /** A body that is not the JSON an order needs, or no body at all. */
  @ExceptionHandler(HttpMessageNotReadableException.class)
  public ResponseEntity<ApiJson.RefusalJson> malformed(HttpMessageNotReadableException e,
      HttpServletRequest request) throws HttpMessageNotReadableException {
    if (!isApi(request)) {
      throw e;
    }
    return error(HttpStatus.BAD_REQUEST, new HttpHeaders(), "MALFORMED_BODY",
        "the body must be JSON like {\"token\":\"...\",\"quantity\":1}");
  }

  /** A path variable that does not convert, such as a non-numeric order id. */
  @ExceptionHandler(TypeMismatchException.class)
  public ResponseEntity<ApiJson.RefusalJson> badParameter(TypeMismatchException e,
      HttpServletRequest request) throws TypeMismatchException {
    if (!isApi(request)) {
      throw e;
    }
    String name = e.getPropertyName() == null ? "a parameter" : e.getPropertyName();
    String value = String.valueOf(e.getValue());
    if (value.length() > 64) {
      value = value.substring(0, 64) + "...";
    }
    return error(HttpStatus.BAD_REQUEST, new HttpHeaders(), "BAD_PARAMETER",
        name + " must be " + expected(e.getRequiredType()) + ", was \"" + value + '"');
  }

  /**
   * Spring MVC's own errors ({@link ErrorResponse}s, each with its status and headers:
   * {@code Allow} on 405, {@code Accept} on 415): unknown path, wrong method, unsupported or
   * unacceptable media type, missing parameter or header. Anything else that escapes a handler
   * under {@code /api/} is logged and answered 500.
   */
  @ExceptionHandler(Exception.class)
  public ResponseEntity<ApiJson.RefusalJson> other(Exception e, HttpServletRequest request)
      throws Exception {
    if (!isApi(request) || DisconnectedClientHelper.isClientDisconnectedException(e)) {
      throw e;          // Spring's handling; a client that went away gets no answer anyway
    }
    if (!(e instanceof ErrorResponse er)) {
      return internal(e, request);
    }
    HttpStatusCode status = er.getStatusCode();
    String reason;
    String message;
    if (e instanceof HttpMediaTypeNotSupportedException) {
      reason = "NOT_JSON";
      message = "send the order as Content-Type: application/json";
    } else if (status.value() == HttpStatus.NOT_FOUND.value()) {
      reason = "NOT_FOUND";
      message = notFound(request);
    } else if (status.value() == HttpStatus.METHOD_NOT_ALLOWED.value()) {
      reason = "METHOD_NOT_ALLOWED";
      message = request.getMethod() + " is not allowed on " + request.getRequestURI()
          + "; allowed: " + String.join(", ", er.getHeaders().getOrEmpty(HttpHeaders.ALLOW));
    } else if (status.value() == HttpStatus.NOT_ACCEPTABLE.value()) {
      reason = "NOT_ACCEPTABLE";
      message = "the API answers application/json only";
    } else if (status.is4xxClientError()) {
      reason = "BAD_REQUEST";
      String detail = er.getBody().getDetail();
      message = detail == null ? "bad request" : detail;
    } else {
      return internal(e, request);
    }
    return error(status, er.getHeaders(), reason, message);
  }

  /**
   * Answers any path under {@code /api/} that no controller maps with 404 {@code NOT_FOUND},
   * instead of passing it on to the static resources ({@code /**}), which would answer a
   * {@code POST} with 405 "GET, HEAD". Ordered after the controllers' mapping, so a known path
   * with the wrong method is still a 405 with its real {@code Allow}, and before the static
   * resources. Writes the body itself: exceptions from a plain {@code HttpRequestHandler} do not
   * reach controller advice.
   */
  @Bean
  static SimpleUrlHandlerMapping apiNotFoundMapping(ObjectMapper json) {
    HttpRequestHandler notFound = (request, response) -> {
      response.setStatus(HttpStatus.NOT_FOUND.value());
      response.setContentType(MediaType.APPLICATION_JSON_VALUE);
      response.setHeader(HttpHeaders.CACHE_CONTROL, CacheControl.noStore().getHeaderValue());
      json.writeValue(response.getOutputStream(),
          ApiJson.RefusalJson.error("NOT_FOUND", notFound(request)));
    };
    SimpleUrlHandlerMapping mapping =
        new SimpleUrlHandlerMapping(Map.of(API_PREFIX + "**", notFound));
    mapping.setOrder(Ordered.LOWEST_PRECEDENCE - 2);
    return mapping;
  }

  private static String notFound(HttpServletRequest request) {
    return "no API at " + request.getMethod() + " " + request.getRequestURI()
        + " (see GET /api/sales)";
  }

  private static ResponseEntity<ApiJson.RefusalJson> internal(Exception e,
      HttpServletRequest request) {
    log.error("{} {} failed", request.getMethod(), request.getRequestURI(), e);
    return error(HttpStatus.INTERNAL_SERVER_ERROR, new HttpHeaders(), "INTERNAL_ERROR",
        "the shop failed to answer; the error is in its log");
  }

  private static ResponseEntity<ApiJson.RefusalJson> error(HttpStatusCode status,
      HttpHeaders headers, String reason, String message) {
    return ResponseEntity.status(status).headers(headers).cacheControl(CacheControl.noStore())
        .contentType(MediaType.APPLICATION_JSON)
        .body(ApiJson.RefusalJson.error(reason, message));
  }

  private static boolean isApi(HttpServletRequest request) {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    return path.startsWith(API_PREFIX) || path.equals("/api");
  }

  private static String expected(Class<?> type) {
    if (type == null) {
      return "a valid value";
    }
    return switch (type.getSimpleName()) {
      case "long", "int", "Long", "Integer" -> "a number";
      default -> "a " + type.getSimpleName();
    };
  }
}
