package io.github.capreport.transport.retrofit;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonReader.Token;
import com.squareup.moshi.JsonWriter;
import io.github.capreport.spi.JsonBinding;
import io.github.capreport.spi.ResponseEnvelope;
import java.io.IOException;
import okio.Buffer;

/**
 * The report's two JSON documents, with Moshi's streaming {@link JsonWriter} and {@link
 * JsonReader}: no adapter and no reflection, so no keep rules under R8, and no setting or adapter
 * of a user's Moshi can change them. {@code errorId} counts only as an integer literal that fits a
 * long, the three strings only as JSON strings; a field of another type is null. Unknown fields are
 * skipped; a body that is not a JSON object is an error.
 */
final class MoshiEnvelopes implements JsonBinding {
  static final MoshiEnvelopes INSTANCE = new MoshiEnvelopes();

  private static final JsonReader.Options NAMES =
      JsonReader.Options.of("errorId", "errorCode", "errorDescription", "status");

  @Override
  public byte[] reportBody(String clientKey, long taskId) throws IOException {
    Buffer buffer = new Buffer();
    try (JsonWriter writer = JsonWriter.of(buffer)) { // writes straight into the buffer
      writer.beginObject().name("clientKey").value(clientKey).name("taskId").value(taskId);
      writer.endObject();
    }
    return buffer.readByteArray();
  }

  @Override
  public ResponseEnvelope envelope(byte[] json) throws IOException {
    JsonReader reader = JsonReader.of(new Buffer().write(json));
    String[] fields = new String[4]; // errorId as its literal, then the three strings
    reader.beginObject(); // throws when the body is not a JSON object
    while (reader.hasNext()) {
      int field = reader.selectName(NAMES);
      if (field < 0) {
        reader.skipName();
      }
      if (field >= 0 && reader.peek() == (field == 0 ? Token.NUMBER : Token.STRING)) {
        fields[field] = reader.nextString(); // a number as written: 1.0 and 1e0 are not 1
      } else {
        reader.skipValue();
      }
    }
    reader.endObject();
    return new ResponseEnvelope(
        ResponseEnvelope.errorIdOf(fields[0]), fields[1], fields[2], fields[3]);
  }
}
