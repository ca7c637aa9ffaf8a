"""Administrator tooling: signed item-configuration bundles, rollout, and service installation."""
