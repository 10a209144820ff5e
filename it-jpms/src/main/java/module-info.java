/**
 * A consumer on the module path. capreport's jars are automatic modules, named by the {@code
 * Automatic-Module-Name} in their manifests. Automatic modules declare no {@code requires}, so the
 * modules their dependencies live in are added on the command line: {@code java.net.http} for
 * transport-jdk, {@code jdk.net} for HttpClient 5 (it calls {@code jdk.net.Sockets}), {@code
 * com.fasterxml.jackson.core} (an explicit module, which resolving automatic modules does not pull
 * in) for both transports, and {@code jdk.httpserver} for the testkit's emulator. The optional
 * modules: capreport-kotlin needs {@code kotlinx.coroutines.core} and {@code kotlin.stdlib}, both
 * explicit modules, required here; capreport-slf4j's {@code org.slf4j} (1.7, automatic) and
 * capreport-micrometer's {@code micrometer.core} (automatic) come along.
 */
module com.example.jpms {
  requires io.github.capreport.core;
  requires io.github.capreport.testkit;
  requires io.github.capreport.kotlin;
  requires io.github.capreport.slf4j;
  requires io.github.capreport.micrometer;
  requires micrometer.core;
  requires kotlinx.coroutines.core;
  requires kotlin.stdlib;

  // No requires on a transport: resolving one automatic module resolves them all, and core's
  // ServiceLoader reads their META-INF/services.
  uses io.github.capreport.spi.TransportProvider;
}
