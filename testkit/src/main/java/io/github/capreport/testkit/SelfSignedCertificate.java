package io.github.capreport.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made at test time, for an HTTPS {@link CapMonsterEmulator}: {@link
 * #serverContext()} serves it, {@link #clientContext()} trusts it and nothing else. Made by the
 * running JDK's own {@code keytool}, so no crypto library is needed.
 *
 * <pre>{@code
 * SelfSignedCertificate cert = SelfSignedCertificate.forLoopback();
 * CapMonsterEmulator emulator =
 *     CapMonsterEmulator.builder().https(cert.serverContext()).clientKey("k").start();
 * CapReportClient client = CapReportClient.builder()
 *     .clientKey("k").baseUrl(emulator.baseUrl()).sslContext(cert.clientContext()).build();
 * }</pre>
 */
public final class SelfSignedCertificate {
  private static final char[] PASSWORD = "capmonster-emulator".toCharArray();
  private static final String ALIAS = "emulator";

  private static SelfSignedCertificate loopback;
  private static SelfSignedCertificate anotherHost;

  private final KeyStore keyStore;
  private final X509Certificate certificate;

  private SelfSignedCertificate(KeyStore keyStore) throws GeneralSecurityException {
    this.keyStore = keyStore;
    this.certificate = (X509Certificate) keyStore.getCertificate(ALIAS);
  }

  /**
   * A certificate for {@code 127.0.0.1} and {@code localhost} (its subject alternative names), so
   * that clients verify the host name as they would any other. Made once per JVM.
   */
  public static synchronized SelfSignedCertificate forLoopback() {
    if (loopback == null) {
      loopback = create("ip:127.0.0.1,dns:localhost");
    }
    return loopback;
  }

  /**
   * A certificate for {@code elsewhere.invalid} alone, which no test's server is: trusted, it still
   * fails host name verification. Made once per JVM.
   */
  static synchronized SelfSignedCertificate forAnotherHost() {
    if (anotherHost == null) {
      anotherHost = create("dns:elsewhere.invalid");
    }
    return anotherHost;
  }

  /**
   * A new certificate with the given subject alternative names in {@code keytool}'s syntax, e.g.
   * {@code dns:example.invalid}: one that does not name {@code 127.0.0.1} proves that a client
   * checks the host name.
   *
   * @throws UncheckedIOException when {@code keytool} fails
   */
  public static SelfSignedCertificate create(String subjectAlternativeNames) {
    File dir = null;
    try {
      dir = java.nio.file.Files.createTempDirectory("capreport-cert").toFile();
      File store = new File(dir, "emulator.p12");
      String keytool =
          System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
      // An EC key: made in a fraction of the time of an RSA one. keytool's JVM runs a second
      // at most, so its JIT need not optimise; a JVM that knows no such option ignores it.
      List<String> command =
          Arrays.asList(
              keytool,
              "-J-XX:+IgnoreUnrecognizedVMOptions",
              "-J-XX:TieredStopAtLevel=1",
              "-genkeypair",
              "-alias",
              ALIAS,
              "-keyalg",
              "EC",
              "-groupname",
              "secp256r1",
              "-sigalg",
              "SHA256withECDSA",
              "-dname",
              "CN=capmonster-emulator",
              "-validity",
              "2",
              "-ext",
              "SAN=" + subjectAlternativeNames,
              "-storetype",
              "PKCS12",
              "-keystore",
              store.getPath(),
              "-storepass",
              new String(PASSWORD),
              "-keypass",
              new String(PASSWORD),
              "-noprompt");
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = readAll(process.getInputStream());
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("keytool did not finish within 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException("keytool failed (" + process.exitValue() + "): " + output);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = new FileInputStream(store)) {
        keyStore.load(in, PASSWORD);
      }
      return new SelfSignedCertificate(keyStore);
    } catch (IOException e) {
      throw new UncheckedIOException("could not make a self-signed certificate", e);
    } catch (GeneralSecurityException e) {
      throw new UncheckedIOException(
          "could not load the self-signed certificate", new IOException(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(
          "interrupted while making a certificate", new java.io.InterruptedIOException());
    } finally {
      deleteQuietly(dir);
    }
  }

  /** The certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** A trust store holding only this certificate. */
  public KeyStore trustStore() {
    try {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry(ALIAS, certificate);
      return trust;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("could not build a trust store", e);
    }
  }

  /** Serves this certificate with its key: for {@link CapMonsterEmulator.Builder#https}. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory keys =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(keyStore, PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), null, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not build the server's SSLContext", e);
    }
  }

  /**
   * Trusts this certificate and no other, with the platform's usual checks (host name included):
   * for a client's {@code sslContext}.
   */
  public SSLContext clientContext() {
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(trustStore());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not build the client's SSLContext", e);
    }
  }

  @Override
  public String toString() {
    return "SelfSignedCertificate{" + certificate.getSubjectX500Principal() + "}";
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
    }
    return new String(out.toByteArray(), Answer.UTF_8);
  }

  private static void deleteQuietly(File dir) {
    if (dir == null) {
      return;
    }
    File[] files = dir.listFiles();
    if (files != null) {
      for (File file : files) {
        file.delete();
      }
    }
    dir.delete();
  }
}
