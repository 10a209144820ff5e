package io.github.capreport;

import io.github.capreport.internal.Answer;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.TransportResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Builds answers for core's tests, which have no JSON library: an envelope's body is written by
 * hand as JSON text and remembered, so that {@link ScriptedTransport#JSON} decodes exactly the
 * bodies made here and rejects everything else, as a JSON library rejects HTML.
 */
public final class Answers {
  private static final Map<String, Consumer<JsonBinding.Members>> KNOWN = new ConcurrentHashMap<>();

  private Answers() {}

  /** An answer as the server sends it: a status, a {@code Retry-After} header, a body. */
  public static final class Reply implements ScriptedTransport.Step {
    private final int status;
    private final String retryAfter;
    private final byte[] body;

    Reply(int status, String retryAfter, byte[] body) {
      this.status = status;
      this.retryAfter = retryAfter;
      this.body = body;
    }

    /** The same answer with a {@code Retry-After} header. */
    public Reply retryAfter(String header) {
      return new Reply(status, header, body);
    }

    public TransportResponse response() {
      return ScriptedTransport.response(status, retryAfter, body);
    }

    @Override
    public TransportResponse execute(ScriptedTransport.ScriptedExchange exchange) {
      return response();
    }
  }

  /** Hands the members of a body made here to {@code members}; false for any other body. */
  static boolean replay(String body, JsonBinding.Members members) {
    Consumer<JsonBinding.Members> known = KNOWN.get(body);
    if (known != null) {
      known.accept(members);
    }
    return known != null;
  }

  public static Reply envelope(
      int status, Long errorId, String code, String description, String apiStatus) {
    StringBuilder json = new StringBuilder("{");
    field(json, "errorId", errorId == null ? null : errorId.toString(), false);
    field(json, "errorCode", code, true);
    field(json, "errorDescription", description, true);
    field(json, "status", apiStatus, true);
    String text = json.append('}').toString();
    KNOWN.put(
        text,
        members -> {
          if (errorId != null) {
            members.member("errorId", true, errorId.toString());
          }
          for (String[] member :
              new String[][] {
                {"errorCode", code}, {"errorDescription", description}, {"status", apiStatus}
              }) {
            if (member[1] != null) {
              members.member(member[0], false, member[1]);
            }
          }
        });
    return new Reply(status, null, text.getBytes(StandardCharsets.UTF_8));
  }

  public static Reply success() {
    return envelope(200, 0L, null, null, "success");
  }

  public static Reply refusal(int status, String code) {
    return envelope(status, 1L, code, null, null);
  }

  /** A body that the binding rejects, as a JSON library rejects HTML. */
  public static Reply notJson(int status, String body) {
    return bytes(status, body.getBytes(StandardCharsets.UTF_8));
  }

  public static Reply bytes(int status, byte[] body) {
    return new Reply(status, null, body);
  }

  /** The answer as core reads it, with the client's bound. */
  public static Answer read(Reply reply) {
    try {
      return Answer.read(reply.response(), 64 * 1024, ScriptedTransport.JSON);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void field(StringBuilder json, String name, String value, boolean quoted) {
    if (value == null) {
      return;
    }
    if (json.length() > 1) {
      json.append(',');
    }
    json.append('"').append(name).append("\":");
    if (quoted) {
      json.append('"').append(value.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    } else {
      json.append(value);
    }
  }
}
