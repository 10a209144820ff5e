package io.github.capreport.transport.retrofit;

import com.squareup.moshi.JsonReader;
import com.squareup.moshi.JsonReader.Token;
import com.squareup.moshi.JsonWriter;
import io.github.capreport.spi.JsonBinding;
import java.io.IOException;
import okio.Buffer;

/**
 * The report's two JSON documents, with Moshi's streaming {@link JsonWriter} and {@link
 * JsonReader}: no adapter and no reflection, so no keep rules under R8, and no setting or adapter
 * of a user's Moshi can change them. A number is handed over as written; a body that is not one
 * JSON object, and nothing after it, is an error.
 */
final class MoshiEnvelopes implements JsonBinding {
  static final MoshiEnvelopes INSTANCE = new MoshiEnvelopes();

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
  public void readMembers(byte[] json, Members members) throws IOException {
    JsonReader reader = JsonReader.of(new Buffer().write(json));
    reader.beginObject(); // throws when the body is not a JSON object
    while (reader.hasNext()) {
      String name = reader.nextName();
      Token type = reader.peek();
      if (type == Token.NUMBER || type == Token.STRING) {
        members.member(name, type == Token.NUMBER, reader.nextString()); // 1.0 stays "1.0"
      } else {
        members.member(name, false, null);
        reader.skipValue();
      }
    }
    reader.endObject();
    reader.peek(); // not lenient: throws on anything after the object, else it is the end
  }
}
