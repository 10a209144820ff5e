/**
 * A consumer on the module path. capreport's jars are automatic modules, named by the {@code
 * Automatic-Module-Name} in their manifests. Automatic modules declare no {@code requires}, so the
 * modules their dependencies live in are added on the command line: {@code java.net.http} for
 * transport-jdk, {@code jdk.net} for HttpClient 5 (it calls {@code jdk.net.Sockets}), {@code
 * com.fasterxml.jackson.databind} (an explicit module, which resolving automatic modules does not
 * pull in) for both transports, and {@code jdk.httpserver} for the testkit's emulator.
 */
module com.example.jpms {
  requires io.github.capreport.core;
  requires io.github.capreport.testkit;

  // No requires on a transport: resolving one automatic module resolves them all, and core's
  // ServiceLoader reads their META-INF/services.
  uses io.github.capreport.spi.TransportProvider;
}
