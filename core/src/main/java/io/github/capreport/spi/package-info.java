/**
 * The transport SPI: how a report travels over an HTTP client. A transport sends one JSON POST and
 * decodes the JSON answer with its own ecosystem's JSON library; every decision about what the
 * answer means is core's. Implementations register a {@link
 * io.github.capreport.spi.TransportProvider} in {@code META-INF/services} and must pass the
 * conformance suite in {@code capreport-testkit}.
 */
@NullMarked
package io.github.capreport.spi;

import org.jspecify.annotations.NullMarked;
