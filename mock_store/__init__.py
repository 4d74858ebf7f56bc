"""The bundled mock storefront: every screen and state of the cancellation flow, for tests and demos."""
