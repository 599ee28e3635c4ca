/** Replaying the reference simulator's configs and request traces. */
package io.llmcap.reference;
