"""The mock store's routers, one per area: sign-in, Your Orders and Order Details, Cancel items, admin."""
