package io.github.capreport.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The emulator's front door: a TCP relay that accepts clients on its own {@link ServerSocket} and
 * pipes each connection, byte for byte, to the JDK HTTP server behind it. The JDK's server does not
 * say which connections it holds open; this relay does, exactly, because each client connection is
 * one socket it accepted and has not yet closed.
 *
 * <p>A connection ends here when either side ends it: the client closes (or resets) its socket, or
 * the server behind closes its end, as it does for a dropped answer. Either way both sockets are
 * closed at once, so a client sees the server's drops as they happen. TLS passes through untouched.
 */
final class ConnectionCountingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final InetSocketAddress target;
  private final ExecutorService threads;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final Map<Pair, Boolean> pairs = new ConcurrentHashMap<>();

  /**
   * The client's address for each relay socket's local port, as the server behind sees it. Kept
   * after the connection ends, for requests handled after their client left; a reused port
   * overwrites its entry.
   */
  private final Map<Integer, InetSocketAddress> clients = new ConcurrentHashMap<>();

  private final AtomicBoolean closed = new AtomicBoolean();
  private final Thread acceptor;

  ConnectionCountingProxy(InetSocketAddress target, ExecutorService threads) throws IOException {
    this.target = target;
    this.threads = threads;
    this.listener = new ServerSocket(0, 512, InetAddress.getByName("127.0.0.1"));
    this.acceptor = new Thread(this::acceptLoop, threadName("accept"));
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Client connections accepted and not yet closed. */
  int openConnections() {
    return open.get();
  }

  /** Client connections accepted since the start. */
  int acceptedConnections() {
    return accepted.get();
  }

  /** The client behind the relay's socket that the server saw as {@code address}. */
  InetSocketAddress clientOf(InetSocketAddress address) {
    InetSocketAddress client = address == null ? null : clients.get(address.getPort());
    return client != null ? client : address;
  }

  /** The connections open now, for a failure message: client port, bytes each way, age. */
  String describeOpen() {
    StringBuilder sb = new StringBuilder("[");
    for (Pair pair : pairs.keySet()) {
      if (sb.length() > 1) {
        sb.append(", ");
      }
      sb.append(pair);
    }
    return sb.append(']').toString();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    closeQuietly(listener);
    for (Pair pair : pairs.keySet()) {
      pair.close();
    }
    // The JDK closes a listening socket that a thread is blocked accepting on only once that
    // thread has left accept(): until then the port still takes connections. Wait for it, so that
    // nothing listens once close() returns.
    if (Thread.currentThread() != acceptor) {
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private String threadName(String what) {
    return "capmonster-emulator-proxy-" + listener.getLocalPort() + "-" + what;
  }

  private void acceptLoop() {
    while (!closed.get()) {
      Socket client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        if (closed.get()) {
          return;
        }
        continue;
      }
      accepted.incrementAndGet();
      open.incrementAndGet();
      Pair pair = new Pair(client);
      pairs.put(pair, Boolean.TRUE);
      if (closed.get()) {
        pair.close();
        return;
      }
      try {
        threads.execute(pair::connect);
      } catch (RejectedExecutionException shuttingDown) {
        pair.close();
      }
    }
  }

  /** One client connection and its twin to the server behind. */
  private final class Pair {
    private final Socket client;
    private volatile Socket server;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final long openedNanos = System.nanoTime();
    private final AtomicLong fromClient = new AtomicLong();
    private final AtomicLong toClient = new AtomicLong();

    Pair(Socket client) {
      this.client = client;
    }

    @Override
    public String toString() {
      return "connection from port "
          + client.getPort()
          + ": "
          + fromClient.get()
          + " bytes in, "
          + toClient.get()
          + " bytes out, open "
          + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openedNanos)
          + " ms";
    }

    void connect() {
      try {
        client.setTcpNoDelay(true);
        Socket upstream = new Socket();
        upstream.setTcpNoDelay(true);
        upstream.connect(target);
        server = upstream;
        SocketAddress local = upstream.getLocalSocketAddress();
        if (local instanceof InetSocketAddress) {
          clients.put(
              ((InetSocketAddress) local).getPort(),
              (InetSocketAddress) client.getRemoteSocketAddress());
        }
        if (ended.get()) {
          closeQuietly(upstream);
          return;
        }
        threads.execute(() -> pump(upstream, client));
      } catch (IOException | RuntimeException e) {
        close();
        return;
      }
      pump(client, server);
    }

    private void pump(Socket from, Socket to) {
      byte[] buffer = new byte[16 * 1024];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        int n;
        AtomicLong counter = from == client ? fromClient : toClient;
        while ((n = in.read(buffer)) >= 0) {
          out.write(buffer, 0, n);
          out.flush();
          counter.addAndGet(n);
        }
      } catch (IOException | RuntimeException ended) {
        // One side went away: the connection is over for both.
      } finally {
        close();
      }
    }

    void close() {
      if (!ended.compareAndSet(false, true)) {
        return;
      }
      closeQuietly(client);
      Socket upstream = server;
      if (upstream != null) {
        closeQuietly(upstream);
      }
      pairs.remove(this);
      open.decrementAndGet();
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // Closing is all that is wanted.
    }
  }
}
