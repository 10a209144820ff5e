package io.github.capreport.testkit;

import java.util.Collections;

/**
 * A failure the emulator injects into a share of requests, with {@link
 * CapMonsterEmulator#faultEvery} or {@link CapMonsterEmulator#faultRandomly}: each is one a client
 * should survive by retrying.
 */
public enum Fault {
  /** 503 with a proxy's HTML page: not the API's answer. */
  SERVICE_UNAVAILABLE_HTML {
    @Override
    Answer answer() {
      return Answer.respond(
          503,
          "text/html",
          "<html><body><h1>503 Service Unavailable</h1></body></html>".getBytes(Answer.UTF_8),
          Collections.<String, String>emptyMap());
    }
  },
  /** 502 with a proxy's HTML page. */
  BAD_GATEWAY_HTML {
    @Override
    Answer answer() {
      return Answer.respond(
          502,
          "text/html",
          "<html><body><h1>502 Bad Gateway</h1></body></html>".getBytes(Answer.UTF_8),
          Collections.<String, String>emptyMap());
    }
  },
  /** The connection is dropped after the request is read, before any byte of an answer. */
  CLOSE_CONNECTION {
    @Override
    Answer answer() {
      return Answer.closeConnection();
    }
  },
  /** Half of a success envelope, then the connection is dropped. */
  CLOSE_MID_ANSWER {
    @Override
    Answer answer() {
      return Answer.closeMidAnswer(NextRequests.SUCCESS.getBytes(Answer.UTF_8));
    }
  },
  /** 200 {@code {"errorId":2,"errorCode":"ERROR_NO_SLOT_AVAILABLE"}}. */
  NO_SLOT_AVAILABLE {
    @Override
    Answer answer() {
      return json("{\"errorId\":2,\"errorCode\":\"ERROR_NO_SLOT_AVAILABLE\"}");
    }
  },
  /** 200 {@code {"errorId":3,"errorCode":"ERROR_TOO_MUCH_REQUESTS"}}. */
  TOO_MUCH_REQUESTS {
    @Override
    Answer answer() {
      return json("{\"errorId\":3,\"errorCode\":\"ERROR_TOO_MUCH_REQUESTS\"}");
    }
  };

  abstract Answer answer();

  private static Answer json(String body) {
    return Answer.respond(
        200,
        "application/json",
        body.getBytes(Answer.UTF_8),
        Collections.<String, String>emptyMap());
  }
}
