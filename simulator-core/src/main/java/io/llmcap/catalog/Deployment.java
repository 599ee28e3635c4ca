package io.llmcap.catalog;

/** A model placed on hardware: one replica spans {@code tp * pp} devices of {@code node}. */
public record Deployment(ModelSpec model, DeviceSku sku, NodeSku node, int tp, int pp) {

  public int devicesPerReplica() {
    return tp * pp;
  }

  public int layersPerStage() {
    return model.numLayers() / pp;
  }

  /** True when one replica needs more devices than one node holds. */
  public boolean multiNode() {
    return devicesPerReplica() > node.devicesPerNode();
  }
}
