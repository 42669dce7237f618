"""Orders: the status machine, who may see an order, carriers, the order emails."""
