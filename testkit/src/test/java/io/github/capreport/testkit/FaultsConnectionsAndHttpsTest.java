package io.github.capreport.testkit;

import static io.github.capreport.testkit.Http.KEY;
import static io.github.capreport.testkit.Http.post;
import static io.github.capreport.testkit.Http.report;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Injected faults, the count of open connections, and HTTPS, as plain clients see them. */
@Timeout(30)
class FaultsConnectionsAndHttpsTest {
  private static final String PATH = "/reportIncorrectImageCaptcha";
  private static final String SUCCESS = "{\"errorId\":0,\"status\":\"success\"}";

  private final List<CapMonsterEmulator> emulators = new ArrayList<>();
  private final CapMonsterEmulator emulator = start(CapMonsterEmulator.builder());

  private CapMonsterEmulator start(CapMonsterEmulator.Builder builder) {
    CapMonsterEmulator started = builder.clientKey(KEY).taskIds(7).start();
    emulators.add(started);
    return started;
  }

  @AfterEach
  void close() {
    emulators.forEach(CapMonsterEmulator::close);
  }

  /** What the server sent on a connection of its own, or "" when it dropped it unanswered. */
  private String raw() throws IOException {
    return Http.rawExchange(emulator.port(), PATH, report(KEY, 7));
  }

  @Test
  void injectsFaultsIntoEveryNthRequestInTurn() throws IOException {
    emulator.faultEvery(3, Fault.CLOSE_CONNECTION, Fault.SERVICE_UNAVAILABLE_HTML);
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      answers.add(raw());
    }
    for (int i : new int[] {0, 1, 3, 4, 6}) {
      assertTrue(answers.get(i).endsWith(SUCCESS), i + ": " + answers.get(i));
    }
    assertEquals("", answers.get(2), "request 3: dropped without a byte");
    assertTrue(answers.get(5).startsWith("HTTP/1.1 503"), answers.get(5));
    assertTrue(answers.get(5).contains("text/html"), answers.get(5));
    assertEquals(2, emulator.faultsInjected());

    List<RecordedRequest> requests = emulator.reports();
    assertEquals(7, requests.size());
    assertEquals(Fault.CLOSE_CONNECTION, requests.get(2).fault());
    assertEquals(Fault.SERVICE_UNAVAILABLE_HTML, requests.get(5).fault());
    assertTrue(requests.get(5).misbehaved());
    assertTrue(requests.get(5).toString().contains("SERVICE_UNAVAILABLE_HTML"));
    assertNull(requests.get(4).fault());
    assertFalse(requests.get(4).misbehaved());
  }

  @Test
  void eachFaultLooksAsNamed() throws IOException {
    emulator.faultEvery(1, Fault.values());
    for (Fault fault : Fault.values()) {
      String answer = raw();
      switch (fault) {
        case SERVICE_UNAVAILABLE_HTML:
          assertTrue(answer.startsWith("HTTP/1.1 503"), answer);
          break;
        case BAD_GATEWAY_HTML:
          assertTrue(answer.startsWith("HTTP/1.1 502"), answer);
          break;
        case CLOSE_CONNECTION:
          assertEquals("", answer);
          break;
        case CLOSE_MID_ANSWER:
          assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
          assertFalse(answer.endsWith(SUCCESS), answer);
          break;
        case NO_SLOT_AVAILABLE:
          assertTrue(answer.endsWith("\"ERROR_NO_SLOT_AVAILABLE\"}"), answer);
          break;
        default:
          assertTrue(answer.endsWith("\"ERROR_TOO_MUCH_REQUESTS\"}"), answer);
          break;
      }
    }
    assertEquals(Fault.values().length, emulator.faultsInjected());
  }

  @Test
  void queuedMisbehaviourComesFirstAndResetStopsFaults() throws IOException {
    emulator.faultEvery(1, Fault.NO_SLOT_AVAILABLE);
    emulator.nextRequest().respond(418, "text/plain", "teapot");
    assertTrue(raw().startsWith("HTTP/1.1 418"));
    assertTrue(raw().contains("ERROR_NO_SLOT_AVAILABLE"));
    assertEquals(1, emulator.faultsInjected());
    assertNull(emulator.reports().get(0).fault(), "a queued misbehaviour is not a fault");
    assertTrue(emulator.reports().get(0).misbehaved());

    emulator.stopFaults();
    assertTrue(raw().endsWith(SUCCESS));
    emulator.faultEvery(1, Fault.NO_SLOT_AVAILABLE);
    emulator.reset();
    assertTrue(raw().endsWith(SUCCESS));
    assertEquals(0, emulator.faultsInjected());
  }

  @Test
  void randomFaultsFollowTheSeed() throws IOException {
    List<Fault> first = randomFaults(42);
    List<Fault> again = randomFaults(42);
    assertEquals(first, again, "the same seed, the same faults in order of arrival");
    long injected = first.stream().filter(f -> f != null).count();
    assertTrue(injected > 0 && injected < first.size(), first.toString());

    emulator.reset();
    emulator.faultRandomly(0, 1, Fault.CLOSE_CONNECTION);
    assertTrue(raw().endsWith(SUCCESS));
    emulator.faultRandomly(1, 1, Fault.CLOSE_CONNECTION);
    assertEquals("", raw());
    assertThrows(
        IllegalArgumentException.class, () -> emulator.faultRandomly(1.5, 1, Fault.values()));
    assertThrows(IllegalArgumentException.class, () -> emulator.faultRandomly(0.5, 1));
    assertThrows(IllegalArgumentException.class, () -> emulator.faultEvery(0, Fault.values()));
  }

  private List<Fault> randomFaults(long seed) throws IOException {
    emulator.reset();
    emulator.faultRandomly(0.5, seed, Fault.SERVICE_UNAVAILABLE_HTML, Fault.NO_SLOT_AVAILABLE);
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      raw();
    }
    for (RecordedRequest request : emulator.reports()) {
      faults.add(request.fault());
    }
    return faults;
  }

  @Test
  @SuppressWarnings("try") // closes the second connection inside the block on purpose
  void countsTheConnectionsOpenNow() throws Exception {
    assertEquals(0, emulator.openConnections());
    try (Socket first = new Socket("127.0.0.1", emulator.port());
        Socket second = new Socket("127.0.0.1", emulator.port())) {
      assertTrue(emulator.awaitOpenConnectionsAtMost(2, 5, TimeUnit.SECONDS));
      waitForOpen(2);
      // A request on a kept-alive connection: the connection stays open after the answer.
      first.setSoTimeout(10_000);
      Http.writeRequest(first, PATH, report(KEY, 7), false);
      assertTrue(emulator.awaitRequests(1, 5, TimeUnit.SECONDS));
      assertEquals(first.getLocalPort(), emulator.lastRequest().remoteAddress().getPort());
      assertEquals(2, emulator.openConnections());
      second.close();
      assertTrue(emulator.awaitOpenConnectionsAtMost(1, 5, TimeUnit.SECONDS));
    }
    assertTrue(emulator.awaitOpenConnectionsAtMost(0, 5, TimeUnit.SECONDS));

    // A connection the emulator drops is closed for the client too, and no longer counted.
    emulator.nextRequest().closeConnection();
    assertEquals("", raw());
    assertTrue(emulator.awaitOpenConnectionsAtMost(0, 5, TimeUnit.SECONDS));

    // A held request keeps its connection open until the client gives up.
    emulator.nextRequest().neverAnswer();
    try (Socket held = new Socket("127.0.0.1", emulator.port())) {
      Http.writeRequest(held, PATH, report(KEY, 7), false);
      assertTrue(emulator.awaitRequests(3, 5, TimeUnit.SECONDS));
      assertEquals(1, emulator.openConnections());
    }
    assertTrue(emulator.awaitOpenConnectionsAtMost(0, 5, TimeUnit.SECONDS));
  }

  private void waitForOpen(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (emulator.openConnections() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertEquals(n, emulator.openConnections());
  }

  @Test
  void closingTheEmulatorClosesEveryConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", emulator.port())) {
      waitForOpen(1);
      emulator.close();
      assertEquals(0, emulator.openConnections());
      socket.setSoTimeout(5_000);
      assertEquals("", Http.readUntilClosed(socket));
    }
  }

  @Test
  void servesHttpsWithACertificateMadeAtTestTime() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
    CapMonsterEmulator https = start(CapMonsterEmulator.builder().https(cert.serverContext()));
    assertTrue(https.baseUrl().startsWith("https://127.0.0.1:"), https.baseUrl());

    // Trusted: the platform's checks pass, the host name included (the SAN names 127.0.0.1).
    HttpsURLConnection trusted = open(https);
    trusted.setSSLSocketFactory(cert.clientContext().getSocketFactory());
    assertEquals(SUCCESS, exchange(trusted));
    assertEquals(1, https.count(7));

    // The platform's default trust refuses it before any request is made.
    HttpsURLConnection untrusted = open(https);
    assertThrows(SSLHandshakeException.class, () -> exchange(untrusted));
    assertEquals(1, https.requestCount());
  }

  @Test
  void aCertificateForAnotherHostFailsHostNameVerification() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.forAnotherHost();
    CapMonsterEmulator https = start(CapMonsterEmulator.builder().https(cert.serverContext()));
    HttpsURLConnection connection = open(https);
    connection.setSSLSocketFactory(cert.clientContext().getSocketFactory());
    assertThrows(IOException.class, () -> exchange(connection));
    assertEquals(0, https.requestCount());
  }

  private static HttpsURLConnection open(CapMonsterEmulator https) throws IOException {
    HttpsURLConnection connection =
        (HttpsURLConnection) new URL(https.baseUrl() + PATH).openConnection();
    connection.setConnectTimeout(5_000);
    connection.setReadTimeout(10_000);
    connection.setRequestMethod("POST");
    connection.setDoOutput(true);
    connection.setRequestProperty("Content-Type", "application/json");
    return connection;
  }

  private static String exchange(HttpsURLConnection connection) throws IOException {
    try (OutputStream out = connection.getOutputStream()) {
      out.write(report(KEY, 7).getBytes(StandardCharsets.UTF_8));
    }
    return new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void plainHttpStillWorks() throws IOException {
    assertEquals(200, post(emulator.baseUrl() + PATH, "application/json", report(KEY, 7)).status());
  }
}
