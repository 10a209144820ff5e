package io.github.capreport.transport.retrofit;

import com.squareup.moshi.JsonAdapter;
import com.squareup.moshi.JsonDataException;
import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonWriter;
import com.squareup.moshi.Moshi;
import io.github.capreport.spi.EnvelopeParser;
import io.github.capreport.spi.ResponseEnvelope;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.Set;
import okio.Buffer;

/**
 * The request body and the answer's envelope, bound with Moshi.
 *
 * <p>The adapters are written by hand rather than reflective: they need no keep rules for fields
 * under R8, and they read the envelope with the same rules as the other transports. {@code errorId}
 * counts only when it is an integer literal that fits a long, and the three strings only when they
 * are JSON strings; a field of another type is read as absent, and core says what that means.
 * Unknown fields are skipped. A body that is not a JSON object is an error.
 */
final class MoshiEnvelopes implements EnvelopeParser {
  /** Registered into the user's Moshi, or a new one, by {@link #with(Moshi)}. */
  static final JsonAdapter.Factory FACTORY =
      new JsonAdapter.Factory() {
        @Override
        public JsonAdapter<?> create(
            Type type, Set<? extends Annotation> annotations, Moshi moshi) {
          if (!annotations.isEmpty()) {
            return null;
          }
          if (type == ReportBody.class) {
            return REPORT_BODY;
          }
          if (type == ResponseEnvelope.class) {
            return ENVELOPE;
          }
          return null;
        }
      };

  private static final JsonAdapter<ReportBody> REPORT_BODY =
      new JsonAdapter<ReportBody>() {
        @Override
        public ReportBody fromJson(JsonReader reader) {
          throw new UnsupportedOperationException("the report body is only ever written");
        }

        @Override
        public void toJson(JsonWriter writer, ReportBody body) throws IOException {
          if (body == null) {
            throw new JsonDataException("no report body");
          }
          writer.beginObject();
          writer.name("clientKey").value(body.clientKey);
          writer.name("taskId").value(body.taskId);
          writer.endObject();
        }

        @Override
        public String toString() {
          return "JsonAdapter(ReportBody)";
        }
      };

  private static final JsonReader.Options NAMES =
      JsonReader.Options.of("errorId", "errorCode", "errorDescription", "status");

  private static final JsonAdapter<ResponseEnvelope> ENVELOPE =
      new JsonAdapter<ResponseEnvelope>() {
        @Override
        public ResponseEnvelope fromJson(JsonReader reader) throws IOException {
          if (reader.peek() != JsonReader.Token.BEGIN_OBJECT) {
            throw new JsonDataException("not a JSON object: " + reader.peek());
          }
          Long errorId = null;
          String errorCode = null;
          String errorDescription = null;
          String status = null;
          reader.beginObject();
          while (reader.hasNext()) {
            switch (reader.selectName(NAMES)) {
              case 0:
                errorId = integral(reader);
                break;
              case 1:
                errorCode = string(reader);
                break;
              case 2:
                errorDescription = string(reader);
                break;
              case 3:
                status = string(reader);
                break;
              default:
                reader.skipName();
                reader.skipValue();
                break;
            }
          }
          reader.endObject();
          return new ResponseEnvelope(errorId, errorCode, errorDescription, status);
        }

        @Override
        public void toJson(JsonWriter writer, ResponseEnvelope envelope) {
          throw new UnsupportedOperationException("the envelope is only ever read");
        }

        @Override
        public String toString() {
          return "JsonAdapter(ResponseEnvelope)";
        }
      };

  private final JsonAdapter<ResponseEnvelope> envelopeAdapter;

  MoshiEnvelopes(Moshi moshi) {
    this.envelopeAdapter = moshi.adapter(ResponseEnvelope.class);
  }

  /** {@code moshi} (or a new Moshi when null) with this transport's adapters added. */
  static Moshi with(Moshi moshi) {
    Moshi.Builder builder = moshi != null ? moshi.newBuilder() : new Moshi.Builder();
    return builder.add(FACTORY).build();
  }

  @Override
  public ResponseEnvelope parse(byte[] json) throws IOException {
    ResponseEnvelope envelope = envelopeAdapter.fromJson(JsonReader.of(new Buffer().write(json)));
    if (envelope == null) {
      throw new JsonDataException("not a JSON object");
    }
    return envelope;
  }

  /** An integer literal that fits a long; anything else is absent. */
  private static Long integral(JsonReader reader) throws IOException {
    if (reader.peek() != JsonReader.Token.NUMBER) {
      reader.skipValue();
      return null;
    }
    // nextString() gives the literal as written, so 1.0 and 1e0 are not mistaken for 1.
    String literal = reader.nextString();
    try {
      return Long.valueOf(Long.parseLong(literal));
    } catch (NumberFormatException notAnIntegerOrTooLarge) {
      return null;
    }
  }

  private static String string(JsonReader reader) throws IOException {
    if (reader.peek() != JsonReader.Token.STRING) {
      reader.skipValue();
      return null;
    }
    return reader.nextString();
  }
}
