package io.github.capreport.transport.retrofit;

/** A request tag: the most bytes of answer body to let through to the reader. */
final class BodyLimit {
  final long maxBytes;

  BodyLimit(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  @Override
  public String toString() {
    return "BodyLimit{" + maxBytes + "}";
  }
}
