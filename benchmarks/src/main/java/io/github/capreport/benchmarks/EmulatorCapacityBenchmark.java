package io.github.capreport.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * The emulator's own capacity: the cheapest possible HTTP/1.1 client, one kept-alive socket per
 * thread writing prebuilt bytes and reading the answer by its Content-Length, no HTTP or JSON
 * library. What this reaches is the ceiling for every client on this machine, not a client's limit.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class EmulatorCapacityBenchmark {
  /** The emulator, in its own JVM as for the other benchmarks. */
  @State(Scope.Benchmark)
  public static class Server {
    RemoteEmulator emulator;

    @Setup(Level.Trial)
    public void start() {
      emulator = RemoteEmulator.start();
    }

    @Setup(Level.Iteration)
    public void reset() {
      emulator.reset();
    }

    @TearDown(Level.Iteration)
    public void printStats() {
      long[] stats = emulator.stats();
      System.out.print(
          "  [emulator: " + stats[0] + " requests over " + stats[1] + " connections] ");
    }

    @TearDown(Level.Trial)
    public void stop() {
      emulator.close();
    }
  }

  /** One connection per benchmark thread. */
  @State(Scope.Thread)
  public static class Connection {
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] request;
    private final byte[] buffer = new byte[8192];

    @Setup(Level.Trial)
    public void open(Server server) throws IOException {
      socket = new Socket(InetAddress.getByName("127.0.0.1"), server.emulator.port());
      socket.setTcpNoDelay(true);
      in = socket.getInputStream();
      out = socket.getOutputStream();
      String body = "{\"clientKey\":\"" + Bench.CLIENT_KEY + "\",\"taskId\":" + Bench.TASK_ID + "}";
      request =
          ("POST "
                  + Bench.PATH
                  + " HTTP/1.1\r\n"
                  + "Host: 127.0.0.1:"
                  + server.emulator.port()
                  + "\r\n"
                  + "Content-Type: application/json\r\n"
                  + "Accept: application/json\r\n"
                  + "User-Agent: "
                  + Bench.rawUserAgent("socket")
                  + "\r\n"
                  + "Content-Length: "
                  + body.length()
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.US_ASCII);
    }

    /** Sends one report and reads its answer; returns the answer's length. */
    int roundTrip() throws IOException {
      out.write(request);
      out.flush();
      int filled = 0;
      int headerEnd = -1;
      int contentLength = -1;
      while (true) {
        int n = in.read(buffer, filled, buffer.length - filled);
        if (n < 0) {
          throw new IOException("the emulator closed the connection");
        }
        filled += n;
        if (headerEnd < 0) {
          headerEnd = indexOfBlankLine(buffer, filled);
          if (headerEnd >= 0) {
            String head = new String(buffer, 0, headerEnd, StandardCharsets.US_ASCII);
            if (!head.startsWith("HTTP/1.1 200")) {
              throw new IOException("unexpected answer: " + head);
            }
            contentLength = contentLength(head);
          }
        }
        if (headerEnd >= 0 && filled >= headerEnd + 4 + contentLength) {
          return filled;
        }
      }
    }

    private static int indexOfBlankLine(byte[] bytes, int length) {
      for (int i = 0; i + 3 < length; i++) {
        if (bytes[i] == '\r'
            && bytes[i + 1] == '\n'
            && bytes[i + 2] == '\r'
            && bytes[i + 3] == '\n') {
          return i;
        }
      }
      return -1;
    }

    private static int contentLength(String head) throws IOException {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Content-Length")) {
          return Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      throw new IOException("no Content-Length: " + head);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      socket.close();
    }
  }

  /** The emulator's share of one report's latency. */
  @Benchmark
  @BenchmarkMode(Mode.AverageTime)
  @OutputTimeUnit(TimeUnit.MICROSECONDS)
  @Threads(1)
  public int latency(Connection connection) throws IOException {
    return connection.roundTrip();
  }

  @Benchmark
  @Threads(1)
  public int callers01(Connection connection) throws IOException {
    return connection.roundTrip();
  }

  @Benchmark
  @Threads(64)
  public int callers64(Connection connection) throws IOException {
    return connection.roundTrip();
  }
}
