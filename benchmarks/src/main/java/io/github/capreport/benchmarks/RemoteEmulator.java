package io.github.capreport.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An {@link EmulatorProcess} started from a benchmark: a child JVM on the same class path. Its JVM
 * options come from the system property {@code capreport.bench.emulatorJvmArgs} (default {@code
 * -Xms256m -Xmx256m}).
 */
final class RemoteEmulator implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;
  private final Writer in;
  private final String baseUrl;

  private RemoteEmulator() throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    String jvmArgs = System.getProperty("capreport.bench.emulatorJvmArgs", "-Xms256m -Xmx256m");
    command.addAll(Arrays.asList(jvmArgs.trim().split("\\s+")));
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(EmulatorProcess.class.getName());
    this.process =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
    String ready = out.readLine();
    if (ready == null || !ready.startsWith("ready ")) {
      process.destroyForcibly();
      throw new IOException("the emulator process did not start: " + ready);
    }
    this.baseUrl = ready.substring("ready ".length());
  }

  static RemoteEmulator start() {
    try {
      return new RemoteEmulator();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  int port() {
    return Integer.parseInt(baseUrl.substring(baseUrl.lastIndexOf(':') + 1));
  }

  /** Forgets recorded requests and connections: call between iterations to bound its memory. */
  void reset() {
    command("reset");
  }

  /** {@code {requests, connections}} since the last reset. */
  long[] stats() {
    String[] parts = command("stats").split(" ");
    return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
  }

  private synchronized String command(String command) {
    try {
      in.write(command + "\n");
      in.flush();
      String answer = out.readLine();
      if (answer == null) {
        throw new IOException("the emulator process ended");
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      in.write("exit\n");
      in.close();
    } catch (IOException ignored) {
      // Already gone.
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
