package io.github.capreport.jackson;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.github.capreport.spi.JsonBinding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * The request body and the answer's members, with Jackson's streaming generator and parser: shared
 * by the transports whose ecosystem is Jackson (jdk, apache), so that they bind JSON one way. Not
 * API: it may change in any release.
 *
 * <p>A plain {@link JsonFactory} of jackson-core, not a user's {@code ObjectMapper}, writes the
 * body and reads the answer, so that no mapper setting can change either: the body is exactly
 * {@code clientKey} as a string and {@code taskId} as a number, and the answer is read as strict
 * JSON (no comments, leading zeros, plus signs or single quotes, which a mapper may allow and the
 * Moshi binding never does), each number handed to core as written. Needs nothing newer than
 * Jackson 2.1.
 */
public final class JacksonEnvelopes implements JsonBinding {
  /** The one binding: it holds nothing but a thread-safe factory. */
  public static final JacksonEnvelopes INSTANCE = new JacksonEnvelopes();

  private final JsonFactory factory = new JsonFactory();

  private JacksonEnvelopes() {}

  /** {@code {"clientKey":"...","taskId":123}}, exactly. */
  @Override
  public byte[] reportBody(String clientKey, long taskId) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(96);
    try (JsonGenerator json = factory.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("clientKey", clientKey);
      json.writeNumberField("taskId", taskId);
      json.writeEndObject();
    }
    return out.toByteArray();
  }

  /** Throws when the body is not one JSON object, and nothing after it. */
  @Override
  public void readMembers(byte[] json, Members members) throws IOException {
    try (JsonParser parser = factory.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new IOException("not a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.getText();
        JsonToken value = parser.nextToken();
        boolean number =
            value == JsonToken.VALUE_NUMBER_INT || value == JsonToken.VALUE_NUMBER_FLOAT;
        members.member(
            name, number, number || value == JsonToken.VALUE_STRING ? parser.getText() : null);
        parser.skipChildren(); // of an object or array; nothing for a scalar
      }
      if (parser.nextToken() != null) {
        throw new IOException("text after the JSON object");
      }
    }
  }
}
