@NullMarked
package io.github.capreport.transport.apache;

import org.jspecify.annotations.NullMarked;
