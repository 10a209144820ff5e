package io.github.capreport.benchmarks;

import io.github.capreport.testkit.CapMonsterEmulator;

/** What every benchmark shares: one key, one task, one endpoint, so every body is the same. */
final class Bench {
  /** The key both capreport and the raw baselines send, and the only one the emulator accepts. */
  static final String CLIENT_KEY = "bench0123456789abcdef0123456789ab";

  /** Every report is for this task; the emulator accepts any positive id. */
  static final long TASK_ID = 7654321L;

  /** The path every report goes to: what {@code reportImage} uses. */
  static final String PATH = "/reportIncorrectImageCaptcha";

  /** The transports measured: the {@code -p transport=...} values. */
  static final String[] TRANSPORTS = {"jdk", "apache", "retrofit"};

  private Bench() {}

  /**
   * Starts the emulator that every benchmark reports to, accepting any task id. It answers with
   * {@code TCP_NODELAY} (the emulator sets {@code sun.net.httpserver.nodelay}), without which
   * Nagle's algorithm and the peer's delayed ACK would add about 40 ms to every report and hide
   * every client's own cost.
   */
  static CapMonsterEmulator startEmulator() {
    return CapMonsterEmulator.builder().clientKey(CLIENT_KEY).acceptAnyTaskId().start();
  }

  /** The User-Agent capreport sends for this transport, spelled out so raw code needs no core. */
  static String rawUserAgent(String transport) {
    return "capreport/0.1.0-SNAPSHOT (" + transport + ")";
  }
}
