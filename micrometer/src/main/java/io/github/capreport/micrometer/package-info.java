/**
 * {@link io.github.capreport.micrometer.MicrometerReportListener}: a {@link
 * io.github.capreport.ReportListener} that records a client's reports, attempts, retries and bulk
 * progress as Micrometer meters.
 */
@NullMarked
package io.github.capreport.micrometer;

import org.jspecify.annotations.NullMarked;
