/**
 * {@link io.github.capreport.slf4j.Slf4jReportListener}: a {@link
 * io.github.capreport.ReportListener} that logs every attempt, retry and outcome of a client's
 * reports through SLF4J.
 */
@NullMarked
package io.github.capreport.slf4j;

import org.jspecify.annotations.NullMarked;
