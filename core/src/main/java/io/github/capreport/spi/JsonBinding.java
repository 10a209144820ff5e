package io.github.capreport.spi;

import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The two JSON documents of a report, bound by the transport's own JSON library (Jackson, Moshi):
 * the narrowest interface that leaves every decision about an answer to core. A binding writes the
 * body and lists the answer's top-level members; which of them count, with which types, and what
 * they mean, core decides.
 */
public interface JsonBinding {
  /**
   * {@code {"clientKey":"...","taskId":123}}: exactly these two fields, the key as a JSON string,
   * the task id as a JSON number, encoded in UTF-8. Written into memory, so it should not fail;
   * core reports a failure as the transport's bug, before any I/O.
   */
  byte[] reportBody(String clientKey, long taskId) throws IOException;

  /**
   * Reads an answer's body, which should be a JSON object, and hands each of its top-level members
   * to {@code members}, in the order read (a library that keeps only the last of a repeated name
   * may hand only that one), during this call only. Nested objects and arrays are not entered.
   * Throws when the body is not one JSON object with nothing after it but whitespace.
   */
  void readMembers(byte[] json, Members members) throws Exception;

  /** Takes the top-level members of an answer, as a {@link JsonBinding} reads them. */
  interface Members {
    /**
     * One member. {@code text} is the value's text when it is a JSON string, its literal when it is
     * a JSON number ({@code isNumber}), as written or in the library's own form of the same number
     * ({@code 1e0} may come as {@code 1.0}, never as {@code 1}), and null for any other value.
     */
    void member(String name, boolean isNumber, @Nullable String text);
  }
}
