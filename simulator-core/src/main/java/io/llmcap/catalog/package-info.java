/**
 * The hardware and model catalog: model specs, device and node SKUs, prices, and the {@link
 * io.llmcap.catalog.Deployment} (one replica's model, SKU, node and TP/PP shape).
 */
package io.llmcap.catalog;
